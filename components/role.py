"""One IAM role as this stack makes every role: the stack's path and boundary, a one-hour session cap, given tags; and
a role for service accounts (`service_account_role`), trusted through its clusters' issuers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.oidc_provider import OidcProvider, web_identity_trust_of
from foundation import naming
from foundation.catalogue import load_catalogue
from foundation.irsa import IrsaRole
from foundation.names import StackNames
from foundation.role_keys import role_keys
from foundation.settings import StackSettings


@dataclass(frozen=True)
class RoleDefaults:
    """What every role of the stack shares: its IAM path (`/` or `/a/b/`) and permissions boundary (a policy ARN),
    and the roles that carry another boundary instead (`permissionsBoundaryOverrides`, by IAM role name; the settings
    refuse any with a CI identity, whose boundary every role must carry)."""

    path: str
    permissions_boundary: pulumi.Input[str] | None
    boundary_overrides: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, settings: StackSettings, boundary: pulumi.Input[str] | None = None) -> RoleDefaults:
        """`boundary`: the ARN of the boundary the stack creates (the CI identity's), so every role waits for it;
        default, the settings' `permissionsBoundary` as it is."""
        keys = role_keys(StackNames(settings).iam_names())
        overrides = {keys[key].name: arn for key, arn in settings.permissions_boundary_overrides.items()}
        return cls(settings.iam_path, boundary or settings.permissions_boundary, overrides)

    def boundary_of(self, role_name: str) -> pulumi.Input[str] | None:
        return self.boundary_overrides.get(role_name, self.permissions_boundary)


def stack_role(
    logical_name: str,
    *,
    role_name: str,
    description: str,
    trust_policy: pulumi.Input[str],
    defaults: RoleDefaults,
    tags: Mapping[str, str] | None,
    parent: pulumi.Resource,
    depends_on: Sequence[pulumi.Resource] = (),
    rosa_made: bool = False,
    import_id: str | None = None,
) -> aws.iam.Role:
    """`rosa_made`: a role `rosa create ...-roles` also makes, which may be adopted (`foundation.adoption`); rosa sets
    no description, so this role's is set when the stack creates it and left as it is afterwards (`import_id`, the
    role's name, imports it instead)."""
    return aws.iam.Role(
        logical_name,
        name=role_name,
        description=description,
        path=defaults.path,
        permissions_boundary=defaults.boundary_of(role_name),
        assume_role_policy=trust_policy,
        max_session_duration=load_catalogue().max_session_seconds,
        tags=dict(tags) if tags else None,
        opts=pulumi.ResourceOptions(
            parent=parent, depends_on=list(depends_on), **rosa_made_options(rosa_made, import_id)
        ),
    )


def attach_policy(
    logical_name: str, role: aws.iam.Role, policy_arn: pulumi.Input[str], import_id: str | None = None
) -> None:
    """`import_id` (`<role name>/<policy ARN>`) adopts an attachment rosa made."""
    aws.iam.RolePolicyAttachment(
        logical_name,
        role=role.name,
        policy_arn=policy_arn,
        opts=pulumi.ResourceOptions(parent=role, import_=import_id),
    )


def rosa_made_options(rosa_made: bool, import_id: str | None) -> dict[str, Any]:
    """The options of a role or policy rosa may have made: its description kept as it is after creation (rosa sets
    none, and IAM cannot change a managed policy's description: the provider would replace the policy, which every
    role attaches), and its import id when the stack adopts it."""
    return {"ignore_changes": ["description"] if rosa_made else None, "import_": import_id}


def attach_extra_policies(logical_name: str, role: aws.iam.Role, policy_arns: Sequence[str]) -> None:
    """`extraPolicyArns` on one of ROSA's roles, as `rosa attach policy` attaches them: each its own attachment,
    `<role>-extra-<policy name>` (the settings refuse two of one name on a role)."""
    for policy_arn in policy_arns:
        attach_policy(f"{logical_name}-extra-{naming.iam_resource_name(policy_arn)}", role, policy_arn)


def service_account_role(
    logical_name: str,
    spec: IrsaRole,
    *,
    issuers: Sequence[OidcProvider],
    defaults: RoleDefaults,
    parent: pulumi.Resource,
) -> aws.iam.Role:
    """`spec`'s role trusted through `issuers` (its clusters' OIDC providers, which it waits for), its managed
    policies attached (`<logical name>-<policy name>`) and its statements as its one inline policy."""
    role = stack_role(
        logical_name,
        role_name=spec.name,
        description=spec.description,
        trust_policy=web_identity_trust_of(issuers, spec),
        defaults=defaults,
        tags=None,  # the user's tags come with the provider's default tags
        parent=parent,
        depends_on=[oidc.provider for oidc in dict.fromkeys(issuers)],
    )
    for policy_arn in spec.managed_policy_arns:
        attach_policy(f"{logical_name}-{naming.iam_resource_name(policy_arn)}", role, policy_arn)
    if policy := spec.inline_policy():
        inline_policy(logical_name, role, policy.to_json())
    return role


def inline_policy(
    role_logical_name: str,
    role: aws.iam.Role,
    document: pulumi.Input[str],
    depends_on: Sequence[pulumi.Resource] = (),
) -> None:
    """A role's one inline policy, `permissions` (`<role logical name>-inline`)."""
    aws.iam.RolePolicy(
        f"{role_logical_name}-inline",
        role=role.name,
        name="permissions",
        policy=document,
        opts=pulumi.ResourceOptions(parent=role, depends_on=list(depends_on)),
    )
