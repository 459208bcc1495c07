"""Per-cluster operator roles, each trusted only by its operator's exact service accounts through the cluster's OIDC
provider.

Implements `rosa create operator-roles`: https://docs.openshift.com/rosa/rosa_architecture/
rosa-sts-about-iam-resources.html#rosa-sts-operator-roles_rosa-sts-about-iam-resources. HCP roles attach the
AWS-managed `ROSA*` operator policies; classic roles attach the account-wide operator policies of `AccountRoles`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi

from components.oidc_provider import OidcProvider, web_identity_trust_of
from components.role import attach_policy, stack_role
from foundation import naming, tags
from foundation.catalogue import OperatorRoleSpec
from foundation.settings import ClusterSettings, StackSettings


@dataclass(frozen=True)
class OperatorRolesArgs:
    cluster: ClusterSettings
    settings: StackSettings
    oidc: OidcProvider
    # classic only: the account-wide operator policies, by operator slug
    classic_policy_arns: Mapping[str, pulumi.Output[str]]


class OperatorRoles(pulumi.ComponentResource):
    """Outputs: prefix, role_arns (operator slug `<namespace>/<operator>` -> ARN)."""

    prefix: str
    role_arns: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: OperatorRolesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("rosa-foundation:iam:OperatorRoles", name, None, opts)
        self.prefix = args.cluster.operator_prefix
        self.role_arns = {spec.slug: self._operator_role(name, args, spec) for spec in args.cluster.operator_specs}
        self.register_outputs({"prefix": self.prefix, "role_arns": self.role_arns})

    def _operator_role(self, name: str, args: OperatorRolesArgs, spec: OperatorRoleSpec) -> pulumi.Output[str]:
        cluster, settings = args.cluster, args.settings
        logical = f"{name}-{spec.namespace}-{spec.operator}"
        trust = web_identity_trust_of(args.oidc, spec.subjects)
        role = stack_role(
            logical,
            role_name=cluster.operator_role_name(spec),
            description=f"ROSA operator {spec.slug} of cluster {cluster.name}",
            trust_policy=trust,
            settings=settings,
            tags=tags.with_user_tags(
                settings.tags, tags.operator_role_tags(cluster.topology, spec.namespace, spec.operator)
            ),
            parent=self,
            depends_on=[args.oidc.provider],
        )
        if spec.managed_policy:
            policy_arn = pulumi.Output.from_input(
                naming.aws_managed_policy_arn(settings.partition, spec.managed_policy)
            )
        else:
            policy_arn = args.classic_policy_arns[spec.slug]
        attach_policy(f"{logical}-policy", role, policy_arn)
        return role.arn
