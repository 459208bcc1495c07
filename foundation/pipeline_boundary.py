"""The permissions boundary every role of a stack with a CI identity carries, the CI roles included: it holds what
the pipeline may never do, so those denies bind the deploy role and every role it can create or change, whatever
policy such a role is given (a boundary grants nothing by itself; it is the ceiling of what a role's policies grant).

Under it no role can touch the CI identity or the boundary, attach either as a policy, create or write an unbounded
role, touch a user or group, rewrite the trust of, assume or pass a role outside the stack, change a policy outside the
stack, destroy the stack's data, weaken a backup vault (its configuration, its objects' versions and locks, its keys'
policies and aliases), publish a self-hosted issuer's documents other than through the pipeline, or read or write the
state outside the pipeline. The CI identity and the vaults' protections are changed by an administrator's run only.
"""

from __future__ import annotations

from collections.abc import Iterator

from foundation import iam, naming
from foundation.ci_permissions import (
    ALIAS_ACTIONS,
    ATTACH,
    BOUNDED_ROLE_WRITES,
    INLINE_POLICY_WRITES,
    ci_arns,
    stack_policy_arns,
    stack_role_arns,
)
from foundation.names import CI_ROLE_KINDS, VAULT_KEY_ALIASES, StackNames

# Data the pipeline must never destroy, whatever the stack says (protected resources, by a second lock).
NEVER = ("kms:ScheduleKeyDeletion", "kms:DisableKey", "secretsmanager:DeleteSecret", "iam:DeleteOpenIDConnectProvider")
# Roles and policies are written only while they carry the boundary.
UNBOUNDED_WRITES = (*BOUNDED_ROLE_WRITES, *INLINE_POLICY_WRITES, *ATTACH)
# Outside the stack's roles: no trust rewritten, no role assumed or passed to a service.
ROLE_HANDOVER = ("iam:UpdateAssumeRolePolicy", "iam:UpdateRole", "sts:AssumeRole", "iam:PassRole")
POLICY_VERSIONS = ("iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicyVersion",
                   "iam:DeletePolicy")  # fmt: skip
IAM_READS = ("iam:Get*", "iam:List*")
# What keeps a vault's backups: its configuration, its objects' versions and locks. Its policy, lifecycle, object
# lock, replication and encryption are the administrator's (NeverWeakenTheVaults).
VAULT_CONFIGURATION = ("s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutLifecycleConfiguration",
                       "s3:PutBucketObjectLockConfiguration", "s3:PutReplicationConfiguration",
                       "s3:PutBucketVersioning", "s3:PutEncryptionConfiguration", "s3:PutBucketPublicAccessBlock",
                       "s3:PutBucketOwnershipControls")  # fmt: skip
VAULT_OBJECT_PROTECTION = ("s3:DeleteObjectVersion", "s3:BypassGovernanceRetention", "s3:PutObjectRetention",
                           "s3:PutObjectLegalHold")  # fmt: skip
VAULT_KEY_ADMINISTRATION = ("kms:PutKeyPolicy", "kms:CreateGrant", "kms:CreateAlias", "kms:UpdateAlias",
                            "kms:DeleteAlias")  # fmt: skip
STATE_BUCKET_READS = ("s3:Get*", "s3:List*")
# A log group's data: the group, its streams (the logs themselves), its retention and its key.
LOG_GROUP_REMOVALS = ("logs:DeleteLogGroup", "logs:DeleteLogStream", "logs:DeleteRetentionPolicy",
                      "logs:DisassociateKmsKey")  # fmt: skip


def boundary_policy(names: StackNames, assumable: tuple[str, ...] = ()) -> iam.PolicyDocument:
    """The permissions boundary of every role of the stack, the CI roles included: everything, except what the
    pipeline must never do (a boundary grants nothing by itself; it is the ceiling of what a role's policies grant).
    `assumable`: roles of other accounts the stack's roles may still assume, by exact ARN (a shared-VPC cluster's
    Installer and operator roles assume the VPC owner's two roles: foundation/shared_vpc.py)."""
    statements = (
        iam.Statement("Allow", ("*",), resources=("*",), sid="CeilingForEverythingBelow"),
        *_iam_denies(names, assumable),
        iam.Statement("Deny", NEVER, resources=("*",), sid="NeverDestroyData"),
        iam.Statement(
            "Deny",
            ("kms:PutKeyPolicy",),
            resources=("*",),
            conditions=(iam.Condition("Bool", "kms:BypassPolicyLockoutSafetyCheck", ("true",)),),
            sid="NeverLockAKey",
        ),
        *_bucket_denies(names),
        *_log_group_denies(names),
        *_vault_denies(names),
        *_state_denies(names),
    )
    return iam.PolicyDocument(statements)


def _iam_denies(names: StackNames, assumable: tuple[str, ...]) -> Iterator[iam.Statement]:
    settings = names.settings
    boundary = settings.permissions_boundary
    if boundary is None:
        raise ValueError("the stack's settings name no permissionsBoundary: no boundary to build")
    account, partition = settings.account_id, settings.partition
    # The CI identity is changed by an administrator's run, never by the pipeline it authorises; reading it stays
    # allowed, so a refreshed preview, the pipeline's own verification, reads the whole stack.
    yield iam.Statement(
        "Deny", (), not_actions=IAM_READS, resources=(*ci_arns(names), boundary), sid="NeverTheCiIdentity"
    )
    # The boundary allows everything below its denies: attached as a role's policy, it would grant all of that.
    ci_policy_arns = tuple(names.policy_arn(names.ci_policy(kind, "*")) for kind in CI_ROLE_KINDS)
    yield iam.Statement(
        "Deny",
        ("iam:AttachRolePolicy",),
        resources=("*",),
        conditions=(iam.Condition("ArnLike", "iam:PolicyARN", (boundary, *ci_policy_arns)),),
        sid="NeverAttachThePipelinesPolicies",
    )
    yield iam.Statement(
        "Deny",
        UNBOUNDED_WRITES,
        resources=("*",),
        conditions=(iam.Condition("ArnNotEquals", "iam:PermissionsBoundary", (boundary,)),),
        sid="OnlyBoundedRoles",
    )
    yield iam.Statement("Deny", ("iam:DeleteRolePermissionsBoundary",), resources=("*",), sid="NeverDropTheBoundary")
    principals = tuple(naming.iam_arn(partition, account, kind, "/", "*") for kind in ("user", "group"))
    yield iam.Statement("Deny", (), not_actions=IAM_READS, resources=principals, sid="NoUsersOrGroups")
    stack_roles = tuple(stack_role_arns(names))
    if assumable:  # IAM writes and PassRole reach no other account's role; assuming one is allowed by exact ARN only
        handover = tuple(a for a in ROLE_HANDOVER if a != "sts:AssumeRole")
        yield iam.Statement("Deny", handover, not_resources=stack_roles, sid="NoRoleBeyondStack")
        yield iam.Statement(
            "Deny", ("sts:AssumeRole",), not_resources=(*stack_roles, *assumable), sid="NoAssumingBeyondStack"
        )
    else:
        yield iam.Statement("Deny", ROLE_HANDOVER, not_resources=stack_roles, sid="NoRoleBeyondStack")
    # The CI identity's policies and the boundary share the stack's path: NeverTheCiIdentity keeps them out of reach.
    policies = tuple(_stack_policy_patterns(names))
    yield (
        iam.Statement("Deny", POLICY_VERSIONS, not_resources=policies, sid="NoPolicyBeyondStack")
        if policies
        else iam.Statement("Deny", POLICY_VERSIONS, resources=("*",), sid="NoPolicyBeyondStack")
    )
    # IAM's `*` matches `/`: `<path>*` also names every deeper path, another stack's own (`/rosa/` holds `/rosa/prod/`,
    # its pipeline's roles and policies included). A name holds no `/`, so nothing of this stack lies below its path.
    yield iam.Statement("Deny", ROLE_HANDOVER, resources=(names.role_arn("*/*"),), sid="NoRoleBelowTheStacksPath")
    if policies == (names.policy_arn("*"),):  # else each policy is named exactly, or none is reachable
        below = (names.policy_arn("*/*"),)
        yield iam.Statement("Deny", POLICY_VERSIONS, resources=below, sid="NoPolicyBelowTheStacksPath")


def _stack_policy_patterns(names: StackNames) -> list[str]:
    """The stack's managed policies by its IAM path where it has one of its own (as `role_name_patterns` names its
    roles), so the boundary does not grow with each cluster's policies; else each ARN. The deploy role's own policy
    keeps the exact ARNs."""
    exact = stack_policy_arns(names)
    return [names.policy_arn("*")] if exact and names.settings.iam_path != "/" else exact


def _bucket_denies(names: StackNames) -> Iterator[iam.Statement]:
    buckets = names.buckets()
    if buckets:
        arns = tuple(names.bucket_arn(b.name) for b in buckets)
        yield iam.Statement("Deny", ("s3:DeleteBucket",), resources=arns, sid="NeverDeleteStackBuckets")
    # A self-hosted issuer's documents are what STS trusts: only the deploy role publishes them (ROSA's classic
    # installer may write any object).
    issuers = [names.bucket_arn(b.name) for b in buckets if b.purpose == "issuer"]
    if issuers:
        deploy = names.role_arn(names.ci_role("deploy").name)
        yield iam.Statement(
            "Deny",
            ("s3:PutObject", "s3:DeleteObject", "s3:PutObjectAcl"),
            resources=tuple(f"{a}/*" for a in issuers),
            conditions=(iam.Condition("ArnNotEquals", "aws:PrincipalArn", (deploy,)),),
            sid="OnlyThePipelinePublishesIssuers",
        )


def _log_group_denies(names: StackNames) -> Iterator[iam.Statement]:
    """A cluster's control-plane logs are kept: the log group and its streams never deleted, its retention and key
    never removed.

    CloudWatch Logs authorises these actions against the group's ARN with a trailing `:*` (the bare ARN is for its
    tagging actions only: CloudWatch Logs User Guide, "Overview of managing access permissions to your CloudWatch Logs
    resources"), so each group is denied as `<ARN>*`: both forms in one pattern, which may also protect a group whose
    name extends the stack's (a deny: it only protects more), and covers the group's streams,
    `<ARN>:log-stream:<name>`."""
    log_groups = names.identities.log_groups()
    if log_groups:
        arns = tuple(names.identities.log_group_arn(f"{group}*") for group in log_groups)
        yield iam.Statement("Deny", LOG_GROUP_REMOVALS, resources=arns, sid="NeverDeleteStackLogGroups")


def _vault_denies(names: StackNames) -> Iterator[iam.Statement]:
    vaults = [b for v in names.vaults() for b in names.vault_buckets(v)]
    if not vaults:
        return
    settings = names.settings
    arns = tuple(names.bucket_arn(b.name) for b in vaults)
    yield iam.Statement("Deny", VAULT_CONFIGURATION, resources=arns, sid="NeverWeakenTheVaults")
    yield iam.Statement(
        "Deny", VAULT_OBJECT_PROTECTION, resources=tuple(f"{a}/*" for a in arns), sid="NeverRewriteBackups"
    )
    keys = tuple(
        naming.arn(settings.partition, "kms", "key/*", account=settings.account_id, region=r) for r in names.regions
    )
    yield iam.Statement(
        "Deny",
        VAULT_KEY_ADMINISTRATION,
        resources=keys,
        conditions=(iam.Condition("ForAnyValue:StringLike", "kms:ResourceAliases", (f"{VAULT_KEY_ALIASES}*",)),),
        sid="NeverTheVaultKeys",
    )
    aliases = tuple(
        naming.arn(settings.partition, "kms", f"{VAULT_KEY_ALIASES}*", account=settings.account_id, region=r)
        for r in names.regions
    )
    yield iam.Statement("Deny", ALIAS_ACTIONS, resources=aliases, sid="NeverTheVaultAliases")


def _state_denies(names: StackNames) -> Iterator[iam.Statement]:
    bucket = names.state_bucket()
    if not bucket:
        return
    yield iam.Statement("Deny", (), not_actions=STATE_BUCKET_READS, resources=(bucket,), sid="NeverTheStateBucket")
    ci_roles = tuple(names.role_arn(names.ci_role(kind).name) for kind in CI_ROLE_KINDS)
    yield iam.Statement(
        "Deny",
        ("s3:*",),
        resources=(f"{bucket}/*",),
        conditions=(iam.Condition("ArnNotEquals", "aws:PrincipalArn", ci_roles),),
        sid="StateIsThePipelines",
    )
