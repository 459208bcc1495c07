"""Account-wide ROSA roles: Installer, Support, Worker (and ControlPlane for classic), with their trust and policies.

Implements `rosa create account-roles` (--hosted-cp for HCP): https://docs.openshift.com/rosa/rosa_architecture/
rosa-sts-about-iam-resources.html. HCP attaches AWS-managed `ROSA*` policies; classic creates customer-managed
policies from the vendored documents of one OpenShift minor version, plus the account-wide operator policies that
every classic cluster's operator roles attach.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import pulumi
import pulumi_aws as aws

from components.role import RoleDefaults, attach_extra_policies, attach_policy, rosa_made_options, stack_role
from foundation import iam, role_policies, tags
from foundation.adoption import Adoption
from foundation.catalogue import AccountRoleSpec, OperatorRoleSpec, RedHatRole, Topology, load_catalogue
from foundation.names import StackNames
from foundation.project import type_token
from foundation.role_keys import account_role_key


class AccountRoleArns(Protocol):
    """What a cluster needs of the account roles: `AccountRoles`, or the account stack's (AccountRolesReference)."""

    role_arns: dict[Topology, dict[str, pulumi.Output[str]]]
    classic_operator_policy_arns: dict[str, pulumi.Output[str]]


@dataclass(frozen=True)
class AccountRolesArgs:
    """The account roles' slice of the settings: topologies, prefix, classic version, Red Hat's trust."""

    topologies: tuple[Topology, ...]
    prefix: str
    classic_version: str | None  # required with "classic" in topologies (the settings rules refuse it missing)
    red_hat_principals: Mapping[RedHatRole, str]  # whom the Installer and the Support role trust
    classic_operator_specs: tuple[OperatorRoleSpec, ...]  # the partition's; their policies are account-wide
    trust_external_id: str | None
    role_defaults: RoleDefaults
    names: StackNames
    adoption: Adoption  # which of them to import instead of creating (`rosa-foundation:adopt`)
    # (topology, role slug) -> managed policies attached beside the role's own (`extraPolicyArns`)
    extra_policy_arns: Mapping[tuple[Topology, str], tuple[str, ...]]

    @classmethod
    def of(cls, names: StackNames, role_defaults: RoleDefaults) -> AccountRolesArgs:
        """The account roles the stack's settings ask for, made with `role_defaults`."""
        settings = names.settings
        return cls(
            topologies=settings.topologies,
            prefix=settings.account_role_prefix,
            classic_version=settings.classic_version,
            red_hat_principals=settings.red_hat_principals,
            classic_operator_specs=settings.classic_operator_specs,
            trust_external_id=settings.trust_external_id,
            role_defaults=role_defaults,
            names=names,
            adoption=Adoption(names),
            extra_policy_arns={
                (topology, spec.slug): arns
                for topology in settings.topologies
                for spec in load_catalogue().topology(topology).account_roles
                if (arns := settings.extra_policy_arns.get(account_role_key(topology, spec)))
            },
        )


class AccountRoles(pulumi.ComponentResource):
    """The account roles of every topology the stack's clusters use.

    Outputs:
      role_arns: topology -> role slug (`installer`, `support`, `instance-worker`, `instance-controlplane`) -> ARN
      classic_operator_policy_arns: operator slug (`<namespace>/<operator>`) -> ARN (classic only)
    """

    role_arns: dict[Topology, dict[str, pulumi.Output[str]]]
    classic_operator_policy_arns: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: AccountRolesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(type_token("iam", "AccountRoles"), name, None, opts)
        self._name, self._args = name, args
        self.role_arns = {}
        for topology in args.topologies:
            specs = load_catalogue().topology(topology).account_roles
            self.role_arns[topology] = {spec.slug: self._account_role(topology, spec).arn for spec in specs}
        self.classic_operator_policy_arns = (
            self._classic_operator_policies(args.classic_version)
            if "classic" in args.topologies and args.classic_version
            else {}
        )
        self.register_outputs(
            {"role_arns": self.role_arns, "classic_operator_policy_arns": self.classic_operator_policy_arns}
        )

    def _account_role(self, topology: Topology, spec: AccountRoleSpec) -> aws.iam.Role:
        args = self._args
        logical = f"{self._name}-{topology}-{spec.slug}"
        adopted = args.adoption.account_role(topology, spec)
        role = stack_role(
            logical,
            role_name=args.names.account_role(topology, spec).name,
            description=f"ROSA {topology} {spec.role} role (prefix {args.prefix})",
            trust_policy=self._trust(spec).to_json(),
            defaults=args.role_defaults,
            tags=tags.added_tags(
                rosa=tags.account_role_tags(topology, args.prefix, spec.role_type, args.classic_version)
            ),
            parent=self,
            rosa_made=True,
            import_id=adopted.role if adopted else None,
        )
        attachment_import = adopted.attachment if adopted else None
        if spec.managed_policy:  # HCP: AWS's own policy
            managed_arn = role_policies.account_role_policy_arn(args.names, spec)
            attach_policy(f"{logical}-policy", role, managed_arn, attachment_import)
        elif spec.policy and args.classic_version:  # classic: this version's document, as our own policy
            policy = self._classic_policy(
                f"{logical}-policy",
                policy_name=args.names.classic_account_policy(spec).name,
                document=load_catalogue().classic_policy(args.classic_version, spec.policy),
                policy_tags=tags.classic_account_policy_tags(args.prefix, args.classic_version, spec.role_type),
                import_id=args.adoption.classic_account_policy(spec),
            )
            attach_policy(f"{logical}-attachment", role, policy.arn, attachment_import)
        attach_extra_policies(logical, role, args.extra_policy_arns.get((topology, spec.slug), ()))
        return role

    def _trust(self, spec: AccountRoleSpec) -> iam.PolicyDocument:
        args = self._args
        trust = spec.trust  # one Red Hat role or one service: the catalogue refuses anything else when it loads
        if trust.red_hat_role is None:
            return iam.assume_role_trust(iam.Principal.service(str(trust.service)))
        external_id = args.trust_external_id if spec.external_id else None
        return iam.assume_role_trust(iam.Principal.aws(args.red_hat_principals[trust.red_hat_role]), external_id)

    def _classic_operator_policies(self, version: str) -> dict[str, pulumi.Output[str]]:
        args = self._args
        arns = {}
        for spec in args.classic_operator_specs:
            policy = self._classic_policy(
                f"{self._name}-classic-{spec.namespace}-{spec.operator}",
                policy_name=args.names.classic_operator_policy(spec).name,
                document=load_catalogue().classic_policy(version, spec.policy or ""),
                policy_tags=tags.classic_operator_policy_tags(args.prefix, version, spec.namespace, spec.operator),
                import_id=args.adoption.classic_operator_policy(spec),
            )
            arns[spec.slug] = policy.arn
        return arns

    def _classic_policy(
        self, logical: str, *, policy_name: str, document: dict, policy_tags: dict[str, str], import_id: str | None
    ) -> aws.iam.Policy:
        args = self._args
        return aws.iam.Policy(
            logical,
            name=policy_name,
            path=args.role_defaults.path,
            description=f"ROSA classic {args.classic_version} permissions ({policy_name})",
            policy=iam.document_json(document),
            tags=tags.added_tags(rosa=policy_tags),
            opts=pulumi.ResourceOptions(parent=self, **rosa_made_options(True, import_id)),
        )
