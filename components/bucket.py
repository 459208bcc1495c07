"""What every bucket of this stack shares: objects owned by the bucket owner (no ACLs), versioning, default
encryption, the public-access blocks, and a policy that refuses every request made without TLS."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from foundation import iam

Grants = Callable[[pulumi.Output[str]], pulumi.Output[tuple[iam.Statement, ...]]]


@dataclass(frozen=True)
class GuardedBucket:
    bucket: aws.s3.Bucket
    versioning: aws.s3.BucketVersioning  # lifecycle, object lock and replication need versioning first
    access_block: aws.s3.BucketPublicAccessBlock  # a bucket policy comes after it (a public one needs it first)
    baseline: tuple[pulumi.Resource, ...]  # ownership, versioning, encryption, access blocks


def guard_bucket(
    logical: str,
    bucket: aws.s3.Bucket,
    *,
    parent: pulumi.Resource,
    region: str | None = None,
    kms_key_arn: pulumi.Input[str] | None = None,
    public_policy: bool = False,
    grants: Grants | None = None,
    policy: bool = True,
) -> GuardedBucket:
    """Guard `bucket` (logical name `logical`) with the stack's bucket baseline.

    `kms_key_arn`: SSE-KMS with that key and a bucket key; without it SSE-S3. `public_policy`: let the bucket policy
    grant anonymous reads (ACLs stay blocked). `grants`: statements the policy adds, given the bucket's ARN.
    `policy=False`: no policy yet; the caller adds it with `guard_policy` once the bucket's other settings exist.
    """
    child = pulumi.ResourceOptions(parent=parent)
    ownership = aws.s3.BucketOwnershipControls(
        f"{logical}-ownership",
        bucket=bucket.id,
        region=region,
        rule={"object_ownership": "BucketOwnerEnforced"},
        opts=child,
    )
    versioning = aws.s3.BucketVersioning(
        f"{logical}-versioning",
        bucket=bucket.id,
        region=region,
        versioning_configuration={"status": "Enabled"},
        opts=child,
    )
    by_default = (
        {"sse_algorithm": "aws:kms", "kms_master_key_id": kms_key_arn} if kms_key_arn else {"sse_algorithm": "AES256"}
    )
    encryption = aws.s3.BucketServerSideEncryptionConfiguration(
        f"{logical}-encryption",
        bucket=bucket.id,
        region=region,
        rules=[{"apply_server_side_encryption_by_default": by_default, "bucket_key_enabled": bool(kms_key_arn)}],
        opts=child,
    )
    access_block = aws.s3.BucketPublicAccessBlock(
        f"{logical}-access",
        bucket=bucket.id,
        region=region,
        block_public_acls=True,
        ignore_public_acls=True,
        block_public_policy=not public_policy,
        restrict_public_buckets=not public_policy,
        opts=child,
    )
    if policy:
        guard_policy(logical, bucket, parent=parent, region=region, grants=grants, after=(access_block,))
    return GuardedBucket(bucket, versioning, access_block, (ownership, versioning, encryption, access_block))


def guard_policy(
    logical: str,
    bucket: aws.s3.Bucket,
    *,
    parent: pulumi.Resource,
    region: str | None = None,
    grants: Grants | None = None,
    after: Sequence[pulumi.Resource],
) -> aws.s3.BucketPolicy:
    """`bucket`'s policy (`bucket_policy` with `grants`), applied after `after`: a public one after the public-access
    blocks that allow it; a vault's, which refuses its own configuration calls to all but its administrator, after
    every one of them."""
    extra = grants(bucket.arn) if grants else bucket.arn.apply(lambda _arn: ())
    return aws.s3.BucketPolicy(
        f"{logical}-policy",
        bucket=bucket.id,
        region=region,
        policy=pulumi.Output.all(bucket.arn, extra).apply(lambda values: bucket_policy(values[0], values[1])),
        opts=pulumi.ResourceOptions(parent=parent, depends_on=list(after)),
    )


def bucket_policy(bucket_arn: str, grants: tuple[iam.Statement, ...] = ()) -> str:
    """`grants`, and no access at all without TLS."""
    deny_plain_http = iam.Statement(
        "Deny",
        ("s3:*",),
        resources=(bucket_arn, f"{bucket_arn}/*"),
        principal=iam.Principal.aws("*"),
        conditions=(iam.Condition("Bool", "aws:SecureTransport", ("false",)),),
        sid="DenyInsecureTransport",
    )
    return iam.PolicyDocument((*grants, deny_plain_http), use="resource").to_json()
