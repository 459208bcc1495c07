"""Per-cluster operator roles, each trusted only by its operator's exact service accounts through the cluster's OIDC
provider.

Implements `rosa create operator-roles`: https://docs.openshift.com/rosa/rosa_architecture/
rosa-sts-about-iam-resources.html#rosa-sts-operator-roles_rosa-sts-about-iam-resources. HCP roles attach the
AWS-managed `ROSA*` operator policies; classic roles attach the account-wide operator policies of `AccountRoles`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi

from components.oidc_provider import OidcProvider, web_identity_trust_of
from components.role import RoleDefaults, attach_extra_policies, attach_policy, stack_role
from foundation import tags
from foundation.adoption import RoleImport
from foundation.catalogue import Topology
from foundation.irsa import IrsaRole
from foundation.project import type_token


@dataclass(frozen=True)
class OperatorRolesArgs:
    """One cluster's operator roles (`foundation.irsa.operator_roles`) and what they attach and trust."""

    prefix: str  # the cluster's operator role prefix (`--operator-roles-prefix`)
    topology: Topology
    roles: tuple[IrsaRole, ...]
    oidc: OidcProvider
    role_defaults: RoleDefaults
    # classic only: the account-wide operator policies, by operator slug
    classic_policy_arns: Mapping[str, pulumi.Output[str]]
    # the roles to import instead of creating (`rosa-foundation:adopt`), by operator slug
    imports: Mapping[str, RoleImport] = field(default_factory=dict)


class OperatorRoles(pulumi.ComponentResource):
    """Outputs: prefix (str), role_arns (operator slug `<namespace>/<operator>` -> ARN)."""

    prefix: str
    role_arns: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: OperatorRolesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(type_token("iam", "OperatorRoles"), name, None, opts)
        self.prefix = args.prefix
        self.role_arns = {spec.key: self._operator_role(name, args, spec) for spec in args.roles}
        self.register_outputs({"prefix": self.prefix, "role_arns": self.role_arns})

    def _operator_role(self, name: str, args: OperatorRolesArgs, spec: IrsaRole) -> pulumi.Output[str]:
        namespace, operator = spec.key.split("/")
        logical = f"{name}-{namespace}-{operator}"
        adopted = args.imports.get(spec.key)
        role = stack_role(
            logical,
            role_name=spec.name,
            description=spec.description,
            trust_policy=web_identity_trust_of([args.oidc], spec),
            defaults=args.role_defaults,
            tags=tags.added_tags(rosa=tags.operator_role_tags(args.topology, namespace, operator)),
            parent=self,
            depends_on=[args.oidc.provider],
            rosa_made=True,
            import_id=adopted.role if adopted else None,
        )
        for policy_arn in spec.managed_policy_arns or (args.classic_policy_arns[spec.key],):
            attach_policy(f"{logical}-policy", role, policy_arn, adopted.attachment if adopted else None)
        attach_extra_policies(logical, role, spec.extra_policy_arns)
        return role.arn
