"""The roles that link this AWS account to Red Hat's OCM: the organisation's OCM role, with the policies of its
profile, and each Red Hat user's user role. Implements `rosa create ocm-role` (`--admin`, `--no-console`) and
`rosa create user-role`; the stack's outputs give the `rosa link` commands that tell OCM of them.

Both roles trust Red Hat's installer role in the OCM account of the stack's partition and OCM environment, bound to
an external id: the OCM organisation's id for the OCM role, the user's OCM account id for a user role (openshift/rosa
`cmd/create/ocmrole`, `internal/ocmrole/core.go`, `cmd/create/userrole`; data/SOURCES.md). The OCM role's permission
documents are Red Hat's, unchanged (`data/policies/ocm/`); a user role has none.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.role import RoleDefaults, attach_policy, rosa_made_options, stack_role
from foundation import iam, tags
from foundation.adoption import Adoption
from foundation.catalogue import OcmEnvironment, load_catalogue
from foundation.names import StackNames
from foundation.outputs import OcmRolesOutputs
from foundation.project import type_token
from foundation.settings.models import OcmRoleSettings, UserRoleSettings


@dataclass(frozen=True)
class OcmRolesArgs:
    """The OCM and user roles' slice of the settings: who they are for, the prefix and OCM environment their tags
    name, and the Red Hat principal they trust."""

    ocm_role: OcmRoleSettings | None
    user_roles: tuple[UserRoleSettings, ...]
    prefix: str
    environment: OcmEnvironment
    red_hat_installer: str  # Red Hat's installer role ARN, as `rosa create ocm-role` / `user-role` trust it
    role_defaults: RoleDefaults
    names: StackNames
    adoption: Adoption  # whether to import the roles rosa made instead of creating them (`rosa-foundation:adopt`)

    @classmethod
    def of(cls, names: StackNames, role_defaults: RoleDefaults) -> OcmRolesArgs:
        settings = names.settings
        return cls(
            ocm_role=settings.ocm_role,
            user_roles=settings.user_roles,
            prefix=settings.account_role_prefix,
            environment=settings.ocm_environment,
            red_hat_installer=settings.red_hat_principals["installer"],
            role_defaults=role_defaults,
            names=names,
            adoption=Adoption(names),
        )


class OcmRoles(pulumi.ComponentResource):
    """Outputs:
    ocm_role_arn: the OCM role's ARN, None without one
    user_role_arns: OCM username -> its user role's ARN
    summary: `OcmRolesOutputs`, the stack output (with the `rosa link` commands)
    """

    ocm_role_arn: pulumi.Output[str] | None
    user_role_arns: dict[str, pulumi.Output[str]]
    summary: pulumi.Output[OcmRolesOutputs]

    def __init__(self, name: str, args: OcmRolesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(type_token("iam", "OcmRoles"), name, None, opts)
        self._name, self._args = name, args
        ocm_role = self._ocm_role(args.ocm_role) if args.ocm_role else None
        self.ocm_role_arn = ocm_role["roleArn"] if ocm_role else None
        users = {user.ocm_username: self._user_role(user) for user in args.user_roles}
        self.user_role_arns = {username: user["roleArn"] for username, user in users.items()}
        self.summary = pulumi.Output.from_input({"ocmRole": ocm_role, "userRoles": users})
        self.register_outputs(
            {"ocm_role_arn": self.ocm_role_arn, "user_role_arns": self.user_role_arns, "summary": self.summary}
        )

    def _ocm_role(self, ocm: OcmRoleSettings) -> dict[str, Any]:
        """The OCM role and its profile's policies, as `OcmRoleOutputs` (of Outputs)."""
        args, names = self._args, self._args.names.ocm
        profile = load_catalogue().ocm_roles.profiles[ocm.profile]
        base_tags = tags.ocm_role_tags(args.prefix, load_catalogue().ocm_roles.ocm_role_type, args.environment)
        profile_tag = {profile.role_tag: "true"} if profile.role_tag else {}
        logical = f"{self._name}-ocm-role"
        role = stack_role(
            logical,
            role_name=names.ocm_role().name,
            description=f"ROSA OCM role of organisation {ocm.organization_external_id} ({ocm.profile} profile)",
            trust_policy=self._trust(ocm.organization_id),
            defaults=args.role_defaults,
            tags=tags.added_tags(rosa={**base_tags, **profile_tag}),
            parent=self,
            rosa_made=True,
            import_id=args.adoption.ocm_role(),
        )
        policy_names, policy_arns = names.ocm_role_policies(), {}
        for spec in profile.policies:
            adopted = args.adoption.ocm_role_policy(spec.slug)
            policy = aws.iam.Policy(
                f"{logical}-{spec.slug}-policy",
                name=policy_names[spec.slug].name,
                path=args.role_defaults.path,
                description=f"ROSA OCM role permissions ({spec.document})",
                policy=iam.document_json(load_catalogue().ocm_policy(spec.document)),
                tags=tags.added_tags(rosa={**base_tags, **(profile_tag if spec.role_tagged else {})}),
                opts=pulumi.ResourceOptions(parent=self, **rosa_made_options(True, adopted and adopted.policy)),
            )
            attach_policy(
                f"{logical}-{spec.slug}-attachment", role, policy.arn, adopted.attachment if adopted else None
            )
            policy_arns[spec.slug] = policy.arn
        link = ("rosa", "link", "ocm-role", "--role-arn", None, "--organization-id", ocm.organization_id)
        return {"profile": ocm.profile, "policyArns": policy_arns, **_linked(role.arn, link)}

    def _user_role(self, user: UserRoleSettings) -> dict[str, Any]:
        """One user's role, as `LinkedRoleOutputs` (of Outputs). No permissions: OCM only assumes it."""
        args = self._args
        role_type = load_catalogue().ocm_roles.user_role_type
        role = stack_role(
            f"{self._name}-user-{user.ocm_username}",
            role_name=args.names.ocm.user_role(user).name,
            description=f"ROSA user role of OCM user {user.ocm_username}",
            trust_policy=self._trust(user.ocm_account_id),
            defaults=args.role_defaults,
            tags=tags.added_tags(rosa=tags.ocm_role_tags(args.prefix, role_type, args.environment)),
            parent=self,
            rosa_made=True,
            import_id=args.adoption.user_role(user),
        )
        link = ("rosa", "link", "user-role", "--role-arn", None, "--account-id", user.ocm_account_id)
        return _linked(role.arn, link)

    def _trust(self, external_id: str) -> str:
        """Red Hat's installer role, bound to `external_id` (rosa's `sts_ocm_trust_policy` and
        `sts_ocm_user_trust_policy` templates, as rosa fills them in)."""
        return iam.assume_role_trust(iam.Principal.aws(self._args.red_hat_installer), external_id).to_json()


def _linked(role_arn: pulumi.Output[str], command: tuple[str | None, ...]) -> dict[str, Any]:
    """`LinkedRoleOutputs` of a role: `command` with the role's ARN in place of None."""
    args = role_arn.apply(lambda arn: [arn if part is None else part for part in command])
    return {"roleArn": role_arn, "rosaLinkArgs": args, "rosaLinkCommand": args.apply(shlex.join)}
