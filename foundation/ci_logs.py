"""What the pipeline may do with the clusters' control-plane log destinations: the log groups by name, created and
configured but never deleted, and the `CustomerLogDistribution-*` roles, which Red Hat puts on the IAM path `/`, by
exact ARN. The deploy role's `logs` policy (`foundation.ci_permissions.deploy_policies`); the log buckets are the
`storage` policy's, as every bucket is.
"""

from __future__ import annotations

from collections.abc import Iterator

from foundation import iam
from foundation.catalogue import load_catalogue
from foundation.ci_actions import BOUNDED_ROLE_WRITES, INLINE_POLICY_WRITES, ROLE_READ, ROLE_WRITES
from foundation.names import StackNames

# A log group's configuration as the stack declares it: created with its key and tags, retention set. Never deleted,
# nor its streams; its retention or key never removed (the boundary's NeverDeleteStackLogGroups): a log group is the
# administrator's to destroy.
LOG_GROUP_ACTIONS = ("logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:AssociateKmsKey", "logs:TagResource",
                     "logs:UntagResource", "logs:ListTagsForResource", "logs:TagLogGroup", "logs:UntagLogGroup",
                     "logs:ListTagsLogGroup")  # fmt: skip


def log_distribution_role_arns(names: StackNames) -> list[str]:
    """The clusters' log distribution roles, by exact ARN: on the path `/` whatever the stack's (Red Hat's rule)."""
    identities = names.identities
    return [
        identities.log_distribution_role_arn(c)
        for c in names.settings.clusters
        if c.log_forwarding and c.log_forwarding.cloudwatch
    ]


def log_group_statements(names: StackNames) -> Iterator[iam.Statement]:
    """The deploy role's `logs` policy: nothing without log groups."""
    yield from _log_groups(names)
    yield from _log_distribution_roles(names)


def _log_distribution_roles(names: StackNames) -> Iterator[iam.Statement]:
    """The log distribution roles, by exact ARN off the stack's path: written as every stack role is, with an inline
    policy, only while they carry the boundary."""
    roles = tuple(log_distribution_role_arns(names))
    if not roles:
        return
    bounded = iam.Condition("ArnEquals", "iam:PermissionsBoundary", (str(names.settings.permissions_boundary),))
    yield iam.Statement("Allow", (*ROLE_READ, *ROLE_WRITES), resources=roles, sid="LogDistributionRoles")
    yield iam.Statement(
        "Allow",
        (*BOUNDED_ROLE_WRITES, *INLINE_POLICY_WRITES),
        resources=roles,
        conditions=(bounded,),
        sid="BoundedLogDistributionRoles",
    )


def _log_groups(names: StackNames) -> Iterator[iam.Statement]:
    identities = names.identities
    log_groups = identities.log_groups()
    if not log_groups:
        return
    arns = tuple(
        a for group in log_groups for a in (identities.log_group_arn(group), identities.log_group_arn(f"{group}:*"))
    )
    yield iam.Statement("Allow", LOG_GROUP_ACTIONS, resources=arns, sid="StackLogGroups")
    # Reading a log group back names no log group: IAM authorises it on `*` only.
    unscoped = load_catalogue().log_forwarding.unscoped_actions
    yield iam.Statement("Allow", unscoped, resources=("*",), sid="ReadLogGroups")
