"""One IAM role as this stack makes every role: the stack's path and boundary, a one-hour session cap, given tags; and
a role for service accounts (`service_account_role`), trusted through its cluster's issuer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.oidc_provider import OidcProvider, web_identity_trust_of
from foundation.catalogue import load_catalogue
from foundation.irsa import IrsaRole
from foundation.settings import StackSettings


@dataclass(frozen=True)
class RoleDefaults:
    """What every role of the stack shares: its IAM path (`/` or `/a/b/`) and permissions boundary (a policy ARN)."""

    path: str
    permissions_boundary: pulumi.Input[str] | None

    @classmethod
    def of(cls, settings: StackSettings, boundary: pulumi.Input[str] | None = None) -> RoleDefaults:
        """`boundary`: the ARN of the boundary the stack creates (the CI identity's), so every role waits for it;
        default, the settings' `permissionsBoundary` as it is."""
        return cls(settings.iam_path, boundary or settings.permissions_boundary)


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
) -> aws.iam.Role:
    return aws.iam.Role(
        logical_name,
        name=role_name,
        description=description,
        path=defaults.path,
        permissions_boundary=defaults.permissions_boundary,
        assume_role_policy=trust_policy,
        max_session_duration=load_catalogue().max_session_seconds,
        tags=dict(tags) if tags else None,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=list(depends_on)),
    )


def attach_policy(logical_name: str, role: aws.iam.Role, policy_arn: pulumi.Input[str]) -> None:
    aws.iam.RolePolicyAttachment(
        logical_name,
        role=role.name,
        policy_arn=policy_arn,
        opts=pulumi.ResourceOptions(parent=role),
    )


def service_account_role(
    logical_name: str,
    spec: IrsaRole,
    *,
    oidc: OidcProvider,
    defaults: RoleDefaults,
    parent: pulumi.Resource,
    tags: Mapping[str, str] | None = None,
) -> aws.iam.Role:
    """`spec`'s role, trusted through the cluster's issuer `oidc`, with its inline policy (named `permissions`) if it
    has statements; its managed policies are the caller's to attach."""
    role = stack_role(
        logical_name,
        role_name=spec.name,
        description=spec.description,
        trust_policy=web_identity_trust_of(oidc, spec),
        defaults=defaults,
        tags=tags,
        parent=parent,
        depends_on=[oidc.provider],
    )
    if policy := spec.inline_policy():
        aws.iam.RolePolicy(
            f"{logical_name}-inline",
            role=role.name,
            name="permissions",
            policy=policy.to_json(),
            opts=pulumi.ResourceOptions(parent=role),
        )
    return role
