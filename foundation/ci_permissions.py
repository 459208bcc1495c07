"""What the pipeline's deploy role may do: exactly what this stack manages, derived from the same settings.

Every statement names the stack's own ARNs (role and policy name prefixes under the stack's IAM path, its buckets by
name, its keys by their `alias/rosa/...` aliases, its security groups by VPC). A self-hosted issuer's private-key
secret is not the stack's (`tools/issuer_key.py` makes it): nothing here reaches it. Where AWS
supports no resource scoping (`kms:CreateKey`, `ec2:Describe*`), the action is listed alone, with a reason.
The role can never widen itself: it may not touch the CI roles and policies, attaches only the policies the stack
uses, and (where the stack has one) creates roles only under the stack's permissions boundary.
"""

from __future__ import annotations

from collections.abc import Iterator

from foundation import iam, naming, oidc_documents, tags
from foundation.catalogue import load_catalogue
from foundation.names import CI_ROLE_KINDS, KMS_ALIAS_ROOT, StackNames
from foundation.settings.models import SelfHostedOidc, StackSettings

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
GITHUB_AUDIENCE = "sts.amazonaws.com"

ROLE_READ = ("iam:GetRole", "iam:ListAttachedRolePolicies", "iam:ListRolePolicies", "iam:GetRolePolicy",
             "iam:ListRoleTags", "iam:ListInstanceProfilesForRole")  # fmt: skip
ROLE_CREATE = ("iam:CreateRole", "iam:PutRolePermissionsBoundary")  # bound to the stack's boundary, if it has one
ROLE_WRITE = ("iam:DeleteRole", "iam:UpdateRole", "iam:UpdateRoleDescription", "iam:UpdateAssumeRolePolicy",
              "iam:TagRole", "iam:UntagRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy")  # fmt: skip
ATTACH = ("iam:AttachRolePolicy", "iam:DetachRolePolicy")
POLICY_ACTIONS = ("iam:CreatePolicy", "iam:DeletePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicyVersion",
                  "iam:GetPolicy", "iam:GetPolicyVersion", "iam:ListPolicyVersions", "iam:ListPolicyTags",
                  "iam:TagPolicy", "iam:UntagPolicy")  # fmt: skip
OIDC_ACTIONS = ("iam:CreateOpenIDConnectProvider", "iam:GetOpenIDConnectProvider",
                "iam:TagOpenIDConnectProvider", "iam:UntagOpenIDConnectProvider",
                "iam:UpdateOpenIDConnectProviderThumbprint", "iam:AddClientIDToOpenIDConnectProvider",
                "iam:RemoveClientIDFromOpenIDConnectProvider")  # fmt: skip
# Bucket-level reads and the configuration writes the stack makes, on its own buckets (no ACLs: owner-enforced).
BUCKET_ACTIONS = ("s3:CreateBucket", "s3:GetBucket*", "s3:GetEncryptionConfiguration", "s3:GetLifecycleConfiguration",
                  "s3:GetReplicationConfiguration", "s3:GetAccelerateConfiguration", "s3:ListBucket",
                  "s3:ListBucketVersions", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketVersioning",
                  "s3:PutBucketPublicAccessBlock", "s3:PutBucketOwnershipControls", "s3:PutBucketTagging",
                  "s3:PutBucketLogging", "s3:PutBucketObjectLockConfiguration", "s3:PutEncryptionConfiguration",
                  "s3:PutLifecycleConfiguration", "s3:PutReplicationConfiguration")  # fmt: skip
ISSUER_OBJECT_ACTIONS = ("s3:GetObject", "s3:GetObjectTagging", "s3:PutObject", "s3:PutObjectTagging",
                         "s3:DeleteObject")  # fmt: skip
KEY_ACTIONS = ("kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:GetKeyRotationStatus",
               "kms:EnableKeyRotation", "kms:ListResourceTags", "kms:TagResource", "kms:UntagResource",
               "kms:UpdateKeyDescription")  # fmt: skip
ALIAS_ACTIONS = ("kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias")
# Rules are created and removed (a changed CIDR is a new rule, by its name); ModifySecurityGroupRules is left out:
# it acts on rule ARNs, which carry no VPC to scope it by.
GROUP_ACTIONS = ("ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress",
                 "ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress",
                 "ec2:UpdateSecurityGroupRuleDescriptionsIngress", "ec2:UpdateSecurityGroupRuleDescriptionsEgress",
                 "ec2:DeleteSecurityGroup")  # fmt: skip
CLOUDFRONT_ACTIONS = ("cloudfront:CreateDistribution", "cloudfront:GetDistribution", "cloudfront:UpdateDistribution",
                      "cloudfront:TagResource", "cloudfront:UntagResource", "cloudfront:ListTagsForResource",
                      "cloudfront:GetOriginAccessControl", "cloudfront:UpdateOriginAccessControl")  # fmt: skip
# Data the pipeline must never destroy, whatever the stack says (protected resources, by a second lock).
NEVER = ("s3:DeleteBucket", "kms:ScheduleKeyDeletion", "kms:DisableKey", "secretsmanager:DeleteSecret",
         "iam:DeleteOpenIDConnectProvider")  # fmt: skip


def deploy_policies(names: StackNames) -> dict[str, iam.PolicyDocument]:
    """The deploy role's permissions by concern (one managed policy each, each under IAM's 6,144 characters)."""
    settings = names.settings
    documents = {
        "iam": (*_iam(names), *_never(names)),
        "storage": (*_buckets(names), *_state(settings)),
        "keys": tuple(_keys(names)),
        "network": (*_security_groups(settings), *_cloudfront(settings)),
    }
    return {concern: iam.PolicyDocument(statements) for concern, statements in documents.items() if statements}


def preview_policy(names: StackNames) -> iam.PolicyDocument | None:
    """`pulumi preview` diffs the program against the state and calls no AWS API beyond STS: state access only."""
    statements = tuple(_state(names.settings, read_only=True))
    return iam.PolicyDocument(statements) if statements else None


# --- IAM ----------------------------------------------------------------------------------------------------------


def role_name_patterns(names: StackNames) -> list[str]:
    """Every role name this stack can create, as IAM ARN patterns: its IAM path where it has one of its own (one
    pattern, whatever the fleet's size), else its name prefixes."""
    settings = names.settings
    if settings.iam_path != "/":
        return [names.role_arn("*")]
    patterns = [f"{settings.account_role_prefix}-*"]
    patterns += sorted({f"{c.operator_prefix}-*" for c in settings.clusters})
    patterns += sorted({names.workload_role(c, w).name for c in settings.clusters for w in c.workload_roles})
    return [names.role_arn(p) for p in dict.fromkeys(patterns)]


def ci_arns(names: StackNames) -> list[str]:
    """The CI roles and their policies: out of the deploy role's reach."""
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
    arns.append(names.policy_arn(f"{settings.account_role_prefix}-*"))
    arns += sorted({arn for c in settings.clusters for w in c.workload_roles for arn in w.managed_policy_arns})
    return arns


def oidc_provider_arns(names: StackNames) -> list[str]:
    hosts = []
    for cluster in names.settings.clusters:
        host_path = names.issuer_host_path(cluster)
        if host_path is None:  # a CloudFront distribution's domain, chosen by AWS
            hosts.append("*.cloudfront.net")
        elif isinstance(cluster.oidc, SelfHostedOidc):
            hosts.append(host_path)
        else:  # Red Hat's issuer host, one path per OIDC config
            hosts.append(host_path.split("/")[0] + "/*")
    return [names.oidc_provider_arn(h) for h in dict.fromkeys(hosts)]


def _iam(names: StackNames) -> Iterator[iam.Statement]:
    settings = names.settings
    roles = tuple(role_name_patterns(names))
    yield iam.Statement("Allow", ROLE_READ, resources=roles, sid="ReadStackRoles")
    boundary = (
        (iam.Condition("StringEquals", "iam:PermissionsBoundary", (settings.permissions_boundary,)),)
        if settings.permissions_boundary
        else ()
    )
    yield iam.Statement("Allow", ROLE_CREATE, resources=roles, conditions=boundary, sid="CreateStackRoles")
    yield iam.Statement("Allow", ROLE_WRITE, resources=roles, sid="WriteStackRoles")
    yield iam.Statement(
        "Allow",
        ATTACH,
        resources=roles,
        conditions=(iam.Condition("ArnLike", "iam:PolicyARN", tuple(attachable_policy_arns(names))),),
        sid="AttachStackPolicies",
    )
    policies = (names.policy_arn(f"{settings.account_role_prefix}-*"),)
    yield iam.Statement("Allow", POLICY_ACTIONS, resources=policies, sid="StackPolicies")
    if settings.clusters:
        yield iam.Statement("Allow", OIDC_ACTIONS, resources=tuple(oidc_provider_arns(names)), sid="ClusterIssuers")
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


# Every IAM write the deploy role is otherwise allowed: refused on the CI identity itself (reads stay allowed, so a
# refreshed preview, the pipeline's own verification, can read the whole stack).
IAM_WRITES = (*ROLE_CREATE, *ROLE_WRITE, *ATTACH, "iam:PassRole", "iam:DeleteRolePermissionsBoundary",
              *(a for a in POLICY_ACTIONS if not a.startswith(("iam:Get", "iam:List"))))  # fmt: skip


def _never(names: StackNames) -> Iterator[iam.Statement]:
    settings = names.settings
    # The CI identity is changed by an administrator's run, never by the pipeline it authorises.
    yield iam.Statement("Deny", IAM_WRITES, resources=tuple(ci_arns(names)), sid="NeverTheCiIdentity")
    yield iam.Statement("Deny", NEVER, resources=("*",), sid="NeverDestroyData")
    if settings.permissions_boundary:
        yield iam.Statement(
            "Deny", ("iam:DeleteRolePermissionsBoundary",), resources=("*",), sid="NeverDropTheBoundary"
        )


# --- storage, keys, network -----------------------------------------------------------------------------------------


def _buckets(names: StackNames) -> Iterator[iam.Statement]:
    buckets = names.buckets()
    issuers = [names.bucket_arn(b.name) for b in buckets if b.purpose == "issuer"]
    if buckets:
        yield iam.Statement(
            "Allow", BUCKET_ACTIONS, resources=tuple(names.bucket_arn(b.name) for b in buckets), sid="StackBuckets"
        )
    if issuers:
        yield iam.Statement(
            "Allow",
            ISSUER_OBJECT_ACTIONS,
            resources=tuple(f"{arn}/{key}" for key in oidc_documents.PUBLISHED_KEYS for arn in issuers),
            sid="IssuerDocuments",
        )


def _state(settings: StackSettings, read_only: bool = False) -> Iterator[iam.Statement]:
    ci = settings.ci_identity
    if not ci or not ci.state_bucket:
        return
    bucket = naming.arn(settings.partition, "s3", ci.state_bucket)
    yield iam.Statement("Allow", ("s3:ListBucket", "s3:GetBucketLocation"), resources=(bucket,), sid="StateBucket")
    yield iam.Statement("Allow", ("s3:GetObject",), resources=(f"{bucket}/.pulumi/*",), sid="ReadState")
    # The file backend takes a lock even to preview; only a deploy writes the stack's state.
    writable = (f"{bucket}/.pulumi/locks/*",) if read_only else (f"{bucket}/.pulumi/*",)
    yield iam.Statement("Allow", ("s3:PutObject", "s3:DeleteObject"), resources=writable, sid="WriteState")


def _keys(names: StackNames) -> Iterator[iam.Statement]:
    settings = names.settings
    if not settings.clusters and not settings.backup:
        return
    # A key has no alias when it is created and rotated, so keys are scoped by the tag every stack key carries.
    owned = iam.Condition("StringEquals", f"aws:ResourceTag/{tags.SCOPE_TAG}", (settings.account_role_prefix,))
    tagged = iam.Condition("StringEquals", f"aws:RequestTag/{tags.SCOPE_TAG}", (settings.account_role_prefix,))
    # CreateKey names no key yet: the request's tag is all there is to scope it by.
    yield iam.Statement("Allow", ("kms:CreateKey", "kms:TagResource"), resources=("*",), conditions=(tagged,),
                        sid="CreateStackKeys")  # fmt: skip
    yield iam.Statement("Allow", ("kms:ListAliases",), resources=("*",), sid="ListAliases")  # no resource scoping
    keys = tuple(
        naming.arn(settings.partition, "kms", "key/*", account=settings.account_id, region=r) for r in names.regions
    )
    yield iam.Statement("Allow", KEY_ACTIONS, resources=keys, conditions=(owned,), sid="StackKeys")
    aliases = tuple(
        naming.arn(settings.partition, "kms", f"{KMS_ALIAS_ROOT}*", account=settings.account_id, region=r)
        for r in names.regions
    )
    # An alias call is checked on the alias and on its key; the alias names are the stack's.
    yield iam.Statement("Allow", ALIAS_ACTIONS, resources=(*aliases, *keys), sid="StackAliases")


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


def _cloudfront(settings: StackSettings) -> Iterator[iam.Statement]:
    fronted = [
        c for c in settings.clusters if isinstance(c.oidc, SelfHostedOidc) and c.oidc.public_access == "cloudfront"
    ]
    if fronted:
        account = settings.account_id
        yield iam.Statement(
            "Allow",
            CLOUDFRONT_ACTIONS,
            resources=(
                naming.arn(settings.partition, "cloudfront", "distribution/*", account=account),
                naming.arn(settings.partition, "cloudfront", "origin-access-control/*", account=account),
            ),
            sid="IssuerDistributions",
        )
        # An origin access control is created before it has an ARN to scope by.
        yield iam.Statement(
            "Allow", ("cloudfront:CreateOriginAccessControl",), resources=("*",), sid="CreateOriginAccess"
        )
