"""What the pipeline may do, derived from the same settings as the stack: the deploy role's and the preview role's
permissions, and the permissions boundary every role of the stack carries, which holds the pipeline's denies.

The deploy role writes only what the stack declares: roles under the stack's IAM path (or its name prefixes) and only
while they carry the boundary, the stack's own policies, OIDC providers and state objects by their exact ARNs, its
buckets by name, its KMS keys through each key's own key policy (`key_policy_grant`), never through a tag it could set
itself. Where AWS offers no resource to scope by (`kms:CreateKey`, `ec2:Describe*`), the action stands alone, with a
reason. A self-hosted issuer's private-key secret is not the stack's (`tools/issuer_key.py` makes it): nothing here
reaches it. What the pipeline may never do, on any role it can write, is the boundary's
(`foundation.pipeline_boundary`).
"""

from __future__ import annotations

from collections.abc import Iterator

from foundation import iam, naming, oidc_documents, shared_vpc, tags
from foundation.catalogue import SHARED_VPC_ROLES, load_catalogue
from foundation.ci_actions import ATTACH, BOUNDED_ROLE_WRITES, INLINE_POLICY_WRITES, ROLE_READ, ROLE_WRITES
from foundation.ci_logs import log_distribution_role_arns, log_group_statements
from foundation.ci_shared_vpc import shared_vpc_statements
from foundation.names import CI_ROLE_KINDS, KMS_ALIAS_ROOT, StackNames
from foundation.settings.models import SelfHostedOidc, StackSettings

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
GITHUB_AUDIENCE = "sts.amazonaws.com"
MANAGED_POLICY_SIZE = 6144  # IAM's fixed limit for one managed policy, counted without whitespace

POLICY_ACTIONS = ("iam:CreatePolicy", "iam:DeletePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicyVersion",
                  "iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions", "iam:ListPolicyTags",
                  "iam:TagPolicy", "iam:UntagPolicy")  # fmt: skip
OIDC_ACTIONS = ("iam:CreateOpenIDConnectProvider", "iam:GetOpenIDConnectProvider",
                "iam:TagOpenIDConnectProvider", "iam:UntagOpenIDConnectProvider",
                "iam:UpdateOpenIDConnectProviderThumbprint", "iam:AddClientIDToOpenIDConnectProvider",
                "iam:RemoveClientIDFromOpenIDConnectProvider")  # fmt: skip
BUCKET_READS = ("s3:GetBucket*", "s3:GetEncryptionConfiguration", "s3:GetLifecycleConfiguration",
                "s3:GetReplicationConfiguration", "s3:GetAccelerateConfiguration", "s3:ListBucket",
                "s3:ListBucketVersions")  # fmt: skip
# What an issuer bucket's configuration takes (components/bucket.py guard_bucket); a vault's is the administrator's.
ISSUER_BUCKET_WRITES = ("s3:CreateBucket", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketVersioning",
                        "s3:PutBucketPublicAccessBlock", "s3:PutBucketOwnershipControls", "s3:PutBucketTagging",
                        "s3:PutEncryptionConfiguration")  # fmt: skip
# A control-plane log bucket's configuration, and its lifecycle (the logs' retention).
LOG_BUCKET_WRITES = (*ISSUER_BUCKET_WRITES, "s3:PutLifecycleConfiguration")
ISSUER_OBJECT_ACTIONS = ("s3:GetObject", "s3:GetObjectTagging", "s3:PutObject", "s3:PutObjectTagging",
                         "s3:DeleteObject")  # fmt: skip
# Key administration, granted to the deploy role in each stack key's own key policy; a vault key's policy grants
# only the reads (its policy and alias are the administrator's).
KEY_ADMINISTRATION = ("kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:GetKeyRotationStatus",
                      "kms:EnableKeyRotation", "kms:ListResourceTags", "kms:TagResource", "kms:UntagResource",
                      "kms:UpdateKeyDescription", "kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias")  # fmt: skip
KEY_READS = ("kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags")
ALIAS_ACTIONS = ("kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias")
# Rules are created and removed (a changed CIDR is a new rule, by its name); ModifySecurityGroupRules is left out:
# it acts on rule ARNs, which carry no VPC to scope it by.
GROUP_ACTIONS = ("ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress",
                 "ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress",
                 "ec2:UpdateSecurityGroupRuleDescriptionsIngress", "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
                 "ec2:DeleteSecurityGroup")  # fmt: skip
DISTRIBUTION_ACTIONS = ("cloudfront:UpdateDistribution", "cloudfront:UntagResource")
CLOUDFRONT_READS = ("cloudfront:GetDistribution", "cloudfront:ListTagsForResource", "cloudfront:GetOriginAccessControl")
STATE_READS = ("s3:GetObject",)
STATE_WRITES = ("s3:PutObject", "s3:DeleteObject")


def deploy_policies(names: StackNames) -> dict[str, iam.PolicyDocument]:
    """The deploy role's permissions by concern, one managed policy each (IAM's 6,144 characters); the issuers'
    exact provider ARNs, which grow with the fleet, fill as many `issuers`, `issuers-2`, ... as they need."""
    documents = {
        "iam": tuple(_iam(names)),
        "storage": (*_buckets(names), *_state(names)),
        "keys": tuple(_keys(names)),
        "network": (*_security_groups(names.settings), *_cloudfront(names), *shared_vpc_statements(names.settings)),
        "logs": tuple(log_group_statements(names)),
    }
    policies = {concern: iam.PolicyDocument(statements) for concern, statements in documents.items() if statements}
    for i, document in enumerate(_split(oidc_provider_arns(names)), start=1):
        policies["issuers" if i == 1 else f"issuers-{i}"] = document
    return policies


def preview_policy(names: StackNames) -> iam.PolicyDocument | None:
    """`pulumi preview` diffs the program against the state and calls no AWS API beyond STS: this stack's state,
    read, and its lock, written."""
    statements = tuple(_state(names, read_only=True))
    return iam.PolicyDocument(statements) if statements else None


# --- IAM ----------------------------------------------------------------------------------------------------------


def role_name_patterns(names: StackNames) -> list[str]:
    """The role names this stack creates on its own path, as IAM ARN patterns: its IAM path where it has one of its
    own (one pattern, whatever the fleet's size), else its name prefixes. The log distribution roles, which Red Hat
    puts on `/`, are `log_distribution_role_arns`."""
    settings = names.settings
    if settings.iam_path != "/":
        return [names.role_arn("*")]
    patterns = [f"{settings.account_role_prefix}-*"]
    patterns += sorted({f"{c.operator_prefix}-*" for c in settings.clusters})
    patterns += sorted({names.workload_role(c, w).name for c in settings.clusters for w in c.workload_roles})
    served = settings.shared_vpc.clusters if settings.shared_vpc else ()
    patterns += [shared_vpc.role(c.name, kind).name for c in served for kind in SHARED_VPC_ROLES]
    patterns += sorted({names.workload_role(None, w).name for w in settings.workload_roles})
    return [names.role_arn(p) for p in dict.fromkeys(patterns)]


def stack_role_arns(names: StackNames) -> list[str]:
    """Every role the stack may create: `role_name_patterns`, and the log distribution roles by exact ARN."""
    return role_name_patterns(names) + log_distribution_role_arns(names)


def stack_policy_arns(names: StackNames) -> list[str]:
    """The managed policies the stack creates (its classic policies), by exact ARN: not the CI identity's, not the
    boundary."""
    return [names.policy_arn(n.name) for n in names.iam_names().values() if n.kind == "policy"]


def ci_arns(names: StackNames) -> list[str]:
    """The CI roles and their policies: out of the pipeline's reach."""
    arns = []
    for kind in CI_ROLE_KINDS:
        arns += [names.role_arn(names.ci_role(kind).name), names.policy_arn(names.ci_policy(kind, "*"))]
    return arns


def attachable_policy_arns(names: StackNames) -> list[str]:
    settings = names.settings
    catalogue = load_catalogue()
    managed = {
        spec.managed_policy
        for topology in settings.topologies
        for spec in (*catalogue.topology(topology).account_roles, *catalogue.topology(topology).operator_roles)
        if spec.managed_policy
    }
    arns = [naming.aws_managed_policy_arn(settings.partition, name) for name in sorted(managed)]
    if settings.shared_vpc:  # the owner's roles: AWS's ROSASharedVPC* policies
        arns += [shared_vpc.managed_policy_arn(settings.partition, kind) for kind in SHARED_VPC_ROLES]
    arns += stack_policy_arns(names)
    workloads = [w for c in settings.clusters for w in c.workload_roles] + list(settings.workload_roles)
    arns += sorted({arn for w in workloads for arn in w.managed_policy_arns})
    arns += sorted({arn for extras in settings.extra_policy_arns.values() for arn in extras} - set(arns))
    return arns


def inline_policy_roles(names: StackNames) -> list[str]:
    """The roles on the stack's path it gives inline policies: backup roles, workload roles with statements or a
    preset, replication roles, audit-log roles (the log distribution roles': `foundation.ci_logs`)."""
    settings = names.settings
    arns = [names.backup_roles_pattern()] if settings.backup else []
    arns += sorted(
        {
            names.role_arn(names.workload_role(c, w).name)
            for c in settings.clusters
            for w in c.workload_roles
            if w.statements or w.preset
        }
        | {
            names.role_arn(names.workload_role(None, w).name)
            for w in settings.workload_roles
            if w.statements or w.preset
        }
    )
    if settings.backup and settings.backup.replica_region:
        arns += [names.role_arn(names.replication_role(vault.name).name) for vault in names.vaults()]
    arns += [names.role_arn(names.identities.audit_log_role(c).name) for c in settings.clusters if c.audit_log]
    return arns


def oidc_provider_arns(names: StackNames) -> list[str]:
    """Each issuer's provider by its exact ARN; a CloudFront issuer's host is the distribution's, which AWS names at
    creation, so those are scoped by the stack's tag instead (`_cloudfront_issuers`)."""
    hosts = (names.issuer_host_path(clusters[0]) for clusters in names.issuers().values())
    return [names.oidc_provider_arn(host) for host in hosts if host is not None]


def _iam(names: StackNames) -> Iterator[iam.Statement]:
    settings = names.settings
    roles = tuple(role_name_patterns(names))
    bounded = iam.Condition("ArnEquals", "iam:PermissionsBoundary", (str(settings.permissions_boundary),))
    yield iam.Statement("Allow", ROLE_READ, resources=roles, sid="ReadStackRoles")
    yield iam.Statement("Allow", BOUNDED_ROLE_WRITES, resources=roles, conditions=(bounded,), sid="CreateStackRoles")
    yield iam.Statement("Allow", ROLE_WRITES, resources=roles, sid="WriteStackRoles")
    if inline := tuple(inline_policy_roles(names)):
        yield iam.Statement(
            "Allow", INLINE_POLICY_WRITES, resources=inline, conditions=(bounded,), sid="InlinePolicies"
        )
    yield iam.Statement(
        "Allow",
        ATTACH,
        resources=roles,
        conditions=(iam.Condition("ArnLike", "iam:PolicyARN", tuple(attachable_policy_arns(names))), bounded),
        sid="AttachStackPolicies",
    )
    if policies := tuple(stack_policy_arns(names)):
        yield iam.Statement("Allow", POLICY_ACTIONS, resources=policies, sid="StackPolicies")
    yield from _cloudfront_issuers(names)
    github = settings.ci_identity and (
        settings.ci_identity.github_oidc_provider_arn or names.oidc_provider_arn(naming.issuer_host_path(GITHUB_ISSUER))
    )
    if github:  # read only: a refreshed preview reads the provider the pipeline itself signs in through
        yield iam.Statement("Allow", ("iam:GetOpenIDConnectProvider",), resources=(github,), sid="ReadGitHubIssuer")
    if settings.backup and settings.backup.replica_region:
        replication = tuple(names.role_arn(names.replication_role(vault.name).name) for vault in names.vaults())
        yield iam.Statement(
            "Allow",
            ("iam:PassRole",),
            resources=replication,
            conditions=(iam.Condition("StringEquals", "iam:PassedToService", ("s3.amazonaws.com",)),),
            sid="PassReplicationRole",
        )


def _cloudfront_issuers(names: StackNames) -> Iterator[iam.Statement]:
    if not _fronted(names.settings):
        return
    settings = names.settings
    providers = (names.oidc_provider_arn("*.cloudfront.net"),)
    scope = settings.account_role_prefix
    yield iam.Statement(
        "Allow",
        ("iam:CreateOpenIDConnectProvider", "iam:TagOpenIDConnectProvider"),
        resources=providers,
        conditions=(iam.Condition("StringEquals", f"aws:RequestTag/{tags.SCOPE_TAG}", (scope,)),),
        sid="CreateCloudFrontIssuers",
    )
    yield iam.Statement(
        "Allow",
        tuple(a for a in OIDC_ACTIONS if a not in ("iam:CreateOpenIDConnectProvider", "iam:TagOpenIDConnectProvider")),
        resources=providers,
        conditions=(iam.Condition("StringEquals", f"aws:ResourceTag/{tags.SCOPE_TAG}", (scope,)),),
        sid="CloudFrontIssuers",
    )


def _split(providers: list[str]) -> list[iam.PolicyDocument]:
    """The issuers' providers in as few documents as IAM's managed-policy size allows."""
    documents: list[iam.PolicyDocument] = []
    chunk: list[str] = []
    for arn in providers:
        candidate = _issuer_document((*chunk, arn))
        if chunk and len(candidate.to_json()) > MANAGED_POLICY_SIZE:
            documents.append(_issuer_document(tuple(chunk)))
            chunk = []
        chunk.append(arn)
    if chunk:
        documents.append(_issuer_document(tuple(chunk)))
    return documents


def _issuer_document(providers: tuple[str, ...]) -> iam.PolicyDocument:
    return iam.PolicyDocument((iam.Statement("Allow", OIDC_ACTIONS, resources=providers, sid="ClusterIssuers"),))


# --- storage -------------------------------------------------------------------------------------------------------


def _buckets(names: StackNames) -> Iterator[iam.Statement]:
    buckets = names.buckets()
    issuers = [names.bucket_arn(b.name) for b in buckets if b.purpose == "issuer"]
    if buckets:
        yield iam.Statement(
            "Allow", BUCKET_READS, resources=tuple(names.bucket_arn(b.name) for b in buckets), sid="ReadStackBuckets"
        )
    if logs := tuple(names.bucket_arn(b.name) for b in buckets if b.purpose == "control-plane-logs"):
        yield iam.Statement("Allow", LOG_BUCKET_WRITES, resources=logs, sid="ControlPlaneLogBuckets")
    if issuers:
        yield iam.Statement("Allow", ISSUER_BUCKET_WRITES, resources=tuple(issuers), sid="IssuerBuckets")
        yield iam.Statement(
            "Allow",
            ISSUER_OBJECT_ACTIONS,
            resources=tuple(f"{arn}/{key}" for key in oidc_documents.PUBLISHED_KEYS for arn in issuers),
            sid="IssuerDocuments",
        )


def _state(names: StackNames, read_only: bool = False) -> Iterator[iam.Statement]:
    objects, bucket = names.state_objects(), names.state_bucket()
    if not objects or not bucket:
        return
    yield iam.Statement("Allow", ("s3:ListBucket", "s3:GetBucketLocation"), resources=(bucket,), sid="StateBucket")
    yield iam.Statement("Allow", STATE_READS, resources=tuple(objects.values()), sid="ReadState")
    # The DIY backend takes the stack's lock even to preview; only a deploy writes the stack's state.
    writable = (objects["locks"],) if read_only else tuple(v for k, v in objects.items() if k != "meta")
    yield iam.Statement("Allow", STATE_WRITES, resources=writable, sid="WriteState")


# --- keys ----------------------------------------------------------------------------------------------------------


def key_tags(settings: StackSettings) -> tuple[str, ...]:
    """Every tag key the stack's KMS keys carry: the scope, ROSA's, the user's."""
    kms = load_catalogue().kms
    rosa = {key for topology in settings.topologies for key in tags.added_tags(rosa=kms.topology(topology).key_tags)}
    return tuple(sorted({tags.SCOPE_TAG, *rosa, *settings.tags}))


def _keys(names: StackNames) -> Iterator[iam.Statement]:
    settings = names.settings
    if not settings.clusters and not settings.backup:
        return
    # CreateKey names no key yet; tagging it at creation is authorised on no key either. Key administration itself
    # comes from each key's own policy (`KEY_ADMINISTRATION`), so a tag put on another key grants nothing.
    yield iam.Statement(
        "Allow",
        ("kms:CreateKey", "kms:TagResource"),
        resources=("*",),
        conditions=(
            iam.Condition("StringEquals", f"aws:RequestTag/{tags.SCOPE_TAG}", (settings.account_role_prefix,)),
            iam.Condition("ForAllValues:StringEquals", "aws:TagKeys", key_tags(settings)),
        ),
        sid="CreateStackKeys",
    )
    yield iam.Statement("Allow", ("kms:ListAliases",), resources=("*",), sid="ListAliases")  # no resource scoping
    aliases = tuple(
        naming.arn(settings.partition, "kms", f"{KMS_ALIAS_ROOT}*", account=settings.account_id, region=r)
        for r in names.regions
    )
    # An alias call is checked on the alias (here) and on its keys (their key policies).
    yield iam.Statement("Allow", ALIAS_ACTIONS, resources=aliases, sid="StackAliases")


# --- network -------------------------------------------------------------------------------------------------------

MAX_LISTED_VPCS = 20  # beyond this, the VPC list alone would outgrow a managed policy; the scope tag still holds


def _security_groups(settings: StackSettings) -> Iterator[iam.Statement]:
    vpcs = sorted({c.network.vpc_id for c in settings.clusters if c.network and c.network.vpc_id})
    if not vpcs:
        return
    region, account, partition = settings.region, settings.account_id, settings.partition
    vpc_names = vpcs if len(vpcs) <= MAX_LISTED_VPCS else ["*"]
    vpc_arns = tuple(naming.arn(partition, "ec2", f"vpc/{v}", account=account, region=region) for v in vpc_names)
    groups = naming.arn(partition, "ec2", "security-group/*", account=account, region=region)
    rules = naming.arn(partition, "ec2", "security-group-rule/*", account=account, region=region)
    owned = iam.Condition("StringEquals", f"aws:ResourceTag/{tags.SCOPE_TAG}", (settings.account_role_prefix,))
    tagged = iam.Condition("StringEquals", f"aws:RequestTag/{tags.SCOPE_TAG}", (settings.account_role_prefix,))
    yield iam.Statement("Allow", ("ec2:Describe*",), resources=("*",), sid="DescribeNetwork")  # no resource scoping
    yield iam.Statement("Allow", ("ec2:CreateSecurityGroup",), resources=vpc_arns, sid="CreateGroupsInStackVpcs")
    yield iam.Statement(
        "Allow", ("ec2:CreateSecurityGroup",), resources=(groups,), conditions=(tagged,), sid="CreateStackGroups"
    )
    yield iam.Statement("Allow", GROUP_ACTIONS, resources=(groups,), conditions=(owned,), sid="StackGroupsOnly")
    yield iam.Statement(
        "Allow",
        ("ec2:CreateTags",),
        resources=(groups, rules),
        conditions=(
            iam.Condition(
                "StringEquals",
                "ec2:CreateAction",
                ("CreateSecurityGroup", "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress"),
            ),
        ),
        sid="TagOnCreate",
    )
    yield iam.Statement(
        "Allow", ("ec2:CreateTags", "ec2:DeleteTags"), resources=(groups,), conditions=(owned,), sid="RetagStackGroups"
    )


def _fronted(settings: StackSettings) -> bool:
    return any(isinstance(c.oidc, SelfHostedOidc) and c.oidc.public_access == "cloudfront" for c in settings.clusters)


def _cloudfront(names: StackNames) -> Iterator[iam.Statement]:
    settings = names.settings
    if not _fronted(settings):
        return
    account, partition, scope = settings.account_id, settings.partition, settings.account_role_prefix
    distributions = naming.arn(partition, "cloudfront", "distribution/*", account=account)
    access = naming.arn(partition, "cloudfront", "origin-access-control/*", account=account)
    # A distribution is created with the stack's tag (CreateDistributionWithTags) and changed only while it has it.
    yield iam.Statement(
        "Allow",
        ("cloudfront:CreateDistribution", "cloudfront:TagResource"),
        resources=(distributions,),
        conditions=(iam.Condition("StringEquals", f"aws:RequestTag/{tags.SCOPE_TAG}", (scope,)),),
        sid="CreateIssuerDistributions",
    )
    yield iam.Statement(
        "Allow",
        DISTRIBUTION_ACTIONS,
        resources=(distributions,),
        conditions=(iam.Condition("StringEquals", f"aws:ResourceTag/{tags.SCOPE_TAG}", (scope,)),),
        sid="IssuerDistributions",
    )
    yield iam.Statement("Allow", CLOUDFRONT_READS, resources=(distributions, access), sid="ReadIssuerDistributions")
    yield iam.Statement(
        "Allow", ("cloudfront:UpdateOriginAccessControl",), resources=(access,), sid="IssuerOriginAccess"
    )
    # An origin access control is created before it has an ARN to scope by.
    yield iam.Statement("Allow", ("cloudfront:CreateOriginAccessControl",), resources=("*",), sid="CreateOriginAccess")
