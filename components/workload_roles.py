"""IAM roles for service accounts (IRSA) of one cluster: each trusted by that cluster's OIDC provider, exactly its
service accounts and the token audience they present, and allowed only what it lists.

Application roles follow seed 004 (the pod identity webhook's token, audience `sts.amazonaws.com`); the backup
tool's role (`foundation.backup_plan`) trusts OADP's service accounts, whose token OpenShift projects with audience
`openshift`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.oidc_provider import OidcProvider, web_identity_trust_of
from components.role import RoleDefaults, attach_policy, stack_role
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
        trust = web_identity_trust_of(args.oidc, spec)
        return workload_role(f"{name}-{spec.key.replace('/', '-')}", spec, trust, args.role_defaults, self, [args.oidc])


def workload_role(
    logical: str,
    spec: IrsaRole,
    trust: pulumi.Input[str],
    defaults: RoleDefaults,
    parent: pulumi.Resource,
    issuers: Sequence[OidcProvider],
) -> pulumi.Output[str]:
    """One workload role: its trust, its managed policies attached and its statements as its one inline policy."""
    role = stack_role(
        logical,
        role_name=spec.name,
        description=spec.description,
        trust_policy=trust,
        defaults=defaults,
        tags=None,  # the user's tags come with the provider's default tags
        parent=parent,
        depends_on=[oidc.provider for oidc in dict.fromkeys(issuers)],
    )
    for policy_arn in spec.managed_policy_arns:
        attach_policy(f"{logical}-{policy_arn.rsplit('/', 1)[-1]}", role, policy_arn)
    if policy := spec.inline_policy():
        aws.iam.RolePolicy(
            f"{logical}-inline",
            role=role.name,
            name="permissions",
            policy=policy.to_json(),
            opts=pulumi.ResourceOptions(parent=role),
        )
    return role.arn
