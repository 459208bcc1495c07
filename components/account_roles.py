"""Account-wide ROSA roles: Installer, Support, Worker (and ControlPlane for classic), with their trust and policies.

Implements `rosa create account-roles` (--hosted-cp for HCP): https://docs.openshift.com/rosa/rosa_architecture/
rosa-sts-about-iam-resources.html. HCP attaches AWS-managed `ROSA*` policies; classic creates customer-managed
policies from the vendored documents of one OpenShift minor version, plus the account-wide operator policies that
every classic cluster's operator roles attach.
"""

from __future__ import annotations

from typing import Protocol

import pulumi
import pulumi_aws as aws

from components.role import attach_policy, stack_role
from foundation import iam, naming, tags
from foundation.catalogue import AccountRoleSpec, Topology, load_catalogue
from foundation.settings import StackSettings


class AccountRoleArns(Protocol):
    """What a cluster needs of the account roles: `AccountRoles`, or the account stack's (AccountRolesReference)."""

    role_arns: dict[Topology, dict[str, pulumi.Output[str]]]
    classic_operator_policy_arns: dict[str, pulumi.Output[str]]


class AccountRoles(pulumi.ComponentResource):
    """The account roles of every topology the stack's clusters use.

    Outputs:
      role_arns: topology -> role slug (`installer`, `support`, `instance-worker`, `instance-controlplane`) -> ARN
      classic_operator_policy_arns: operator slug (`<namespace>/<operator>`) -> ARN (classic only)
    """

    role_arns: dict[Topology, dict[str, pulumi.Output[str]]]
    classic_operator_policy_arns: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, settings: StackSettings, opts: pulumi.ResourceOptions | None = None):
        super().__init__("rosa-foundation:iam:AccountRoles", name, None, opts)
        self._name = name
        self._settings = settings
        self.role_arns = {}
        for topology in settings.topologies:
            specs = load_catalogue().topology(topology).account_roles
            self.role_arns[topology] = {spec.slug: self._account_role(topology, spec).arn for spec in specs}
        self.classic_operator_policy_arns = (
            self._classic_operator_policies() if "classic" in settings.topologies else {}
        )
        self.register_outputs(
            {"role_arns": self.role_arns, "classic_operator_policy_arns": self.classic_operator_policy_arns}
        )

    def _account_role(self, topology: Topology, spec: AccountRoleSpec) -> aws.iam.Role:
        settings = self._settings
        logical = f"{self._name}-{topology}-{spec.slug}"
        role = stack_role(
            logical,
            role_name=settings.account_role_name(spec),
            description=f"ROSA {topology} {spec.role} role (prefix {settings.account_role_prefix})",
            trust_policy=self._trust(spec).to_json(),
            settings=settings,
            tags=tags.with_user_tags(
                settings.tags,
                tags.account_role_tags(
                    topology, settings.account_role_prefix, spec.role_type, settings.classic_version
                ),
            ),
            parent=self,
        )
        if topology == "hcp":
            assert spec.managed_policy
            attach_policy(
                f"{logical}-policy", role, naming.aws_managed_policy_arn(settings.partition, spec.managed_policy)
            )
        else:
            assert spec.policy and settings.classic_version
            policy = self._classic_policy(
                f"{logical}-policy",
                policy_name=settings.classic_account_policy_name(spec),
                document=load_catalogue().classic_policy(settings.classic_version, spec.policy),
                policy_tags=tags.classic_account_policy_tags(
                    settings.account_role_prefix, settings.classic_version, spec.role_type
                ),
            )
            attach_policy(f"{logical}-attachment", role, policy.arn)
        return role

    def _trust(self, spec: AccountRoleSpec) -> iam.PolicyDocument:
        settings = self._settings
        if spec.trust.service:
            return iam.assume_role_trust(iam.Principal.service(spec.trust.service))
        assert spec.trust.red_hat_role
        red_hat_role = load_catalogue().red_hat_roles[spec.trust.red_hat_role]
        principal = naming.iam_arn(settings.partition, settings.ocm_account_id, "role", "/", red_hat_role)
        external_id = settings.trust_external_id if spec.external_id else None
        return iam.assume_role_trust(iam.Principal.aws(principal), external_id)

    def _classic_operator_policies(self) -> dict[str, pulumi.Output[str]]:
        settings = self._settings
        assert settings.classic_version
        arns = {}
        for spec in load_catalogue().classic.operator_roles:
            assert spec.policy
            policy = self._classic_policy(
                f"{self._name}-classic-{spec.namespace}-{spec.operator}",
                policy_name=settings.classic_operator_policy_name(spec),
                document=load_catalogue().classic_policy(settings.classic_version, spec.policy),
                policy_tags=tags.classic_operator_policy_tags(
                    settings.account_role_prefix, settings.classic_version, spec.namespace, spec.operator
                ),
            )
            arns[spec.slug] = policy.arn
        return arns

    def _classic_policy(
        self, logical: str, *, policy_name: str, document: dict, policy_tags: dict[str, str]
    ) -> aws.iam.Policy:
        settings = self._settings
        return aws.iam.Policy(
            logical,
            name=policy_name,
            path=settings.iam_path,
            description=f"ROSA classic {settings.classic_version} permissions ({policy_name})",
            policy=iam.document_json(document),
            tags=tags.with_user_tags(settings.tags, policy_tags),
            opts=pulumi.ResourceOptions(parent=self),
        )
