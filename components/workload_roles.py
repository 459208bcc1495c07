"""IAM roles for service accounts (IRSA) of one cluster: each trusted by that cluster's OIDC provider, exactly its
service accounts and the token audience they present, and allowed only what it lists.

Application roles follow seed 004 (the pod identity webhook's token, audience `sts.amazonaws.com`); the backup
tool's role (`foundation.backup_plan`) trusts OADP's service accounts, whose token OpenShift projects with audience
`openshift`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.oidc_provider import OidcProvider
from components.role import RoleDefaults, service_account_role
from foundation.irsa import IrsaRole
from foundation.project import type_token


@dataclass(frozen=True)
class WorkloadRolesArgs:
    """One cluster's application roles and its backup role (None without backups), and the issuer they trust."""

    oidc: OidcProvider
    role_defaults: RoleDefaults
    application_roles: tuple[IrsaRole, ...]
    backup_role: IrsaRole | None


class WorkloadRoles(pulumi.ComponentResource):
    """Outputs: role_arns (application role key `<namespace>/<service account>` -> ARN), backup_role_arn (the
    backup role's ARN, or None)."""

    role_arns: dict[str, pulumi.Output[str]]
    backup_role_arn: pulumi.Output[str] | None

    def __init__(self, name: str, args: WorkloadRolesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(type_token("iam", "WorkloadRoles"), name, None, opts)
        self.role_arns = {spec.key: self._role(name, args, spec) for spec in args.application_roles}
        self.backup_role_arn = self._role(name, args, args.backup_role) if args.backup_role else None
        self.register_outputs({"role_arns": self.role_arns, "backup_role_arn": self.backup_role_arn})

    def _role(self, name: str, args: WorkloadRolesArgs, spec: IrsaRole) -> pulumi.Output[str]:
        logical = f"{name}-{spec.key.replace('/', '-')}"
        return service_account_role(logical, spec, issuers=[args.oidc], defaults=args.role_defaults, parent=self).arn
