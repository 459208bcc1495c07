"""IAM roles for service accounts (IRSA) of one cluster: each trusted by that cluster's OIDC provider, exactly its
service accounts and the token audience they present, and allowed only what it lists.

Application roles follow seed 004 (the pod identity webhook's token, audience `sts.amazonaws.com`); the backup
tool's role trusts OADP's service accounts, whose token OpenShift projects with audience `openshift`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.oidc_provider import OidcProvider, web_identity_trust_of
from components.role import attach_policy, stack_role
from foundation import iam
from foundation.catalogue import load_catalogue
from foundation.settings import ClusterSettings, StackSettings, WorkloadRoleSettings


@dataclass(frozen=True)
class IrsaRole:
    key: str  # the role's key in outputs and logical names, e.g. `<namespace>/<service account>`
    role_name: str
    description: str
    subjects: tuple[str, ...]
    audience: str
    managed_policy_arns: tuple[str, ...] = ()
    statements: tuple[iam.Statement, ...] = ()


@dataclass(frozen=True)
class WorkloadRolesArgs:
    settings: StackSettings
    oidc: OidcProvider
    roles: tuple[IrsaRole, ...]


class WorkloadRoles(pulumi.ComponentResource):
    """Outputs: role_arns (key -> role ARN)."""

    role_arns: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: WorkloadRolesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("rosa-foundation:iam:WorkloadRoles", name, None, opts)
        self.role_arns = {spec.key: self._role(name, args, spec) for spec in args.roles}
        self.register_outputs({"role_arns": self.role_arns})

    def _role(self, name: str, args: WorkloadRolesArgs, spec: IrsaRole) -> pulumi.Output[str]:
        logical = f"{name}-{spec.key.replace('/', '-')}"
        trust = web_identity_trust_of(args.oidc, spec.subjects, spec.audience)
        role = stack_role(
            logical,
            role_name=spec.role_name,
            description=spec.description,
            trust_policy=trust,
            settings=args.settings,
            tags=args.settings.tags,
            parent=self,
            depends_on=[args.oidc.provider],
        )
        for policy_arn in spec.managed_policy_arns:
            attach_policy(f"{logical}-{policy_arn.rsplit('/', 1)[-1]}", role, policy_arn)
        if spec.statements:
            aws.iam.RolePolicy(
                f"{logical}-inline",
                role=role.name,
                name="permissions",
                policy=iam.PolicyDocument(spec.statements).to_json(),
                opts=pulumi.ResourceOptions(parent=role),
            )
        return role.arn


def application_role(cluster: ClusterSettings, workload: WorkloadRoleSettings) -> IrsaRole:
    return IrsaRole(
        key=workload.slug,
        role_name=cluster.workload_role_name(workload),
        description=f"Service account {workload.slug} of ROSA cluster {cluster.name}",
        subjects=(workload.subject,),
        audience=load_catalogue().workload_token_audience,
        managed_policy_arns=workload.managed_policy_arns,
        statements=tuple(s.to_statement() for s in workload.statements),
    )
