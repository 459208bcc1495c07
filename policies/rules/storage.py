"""Storage guardrails: every S3 bucket versioned, encrypted, private, TLS-only and expiring on ROSA's schedule.

A bucket is judged by its companion resources (versioning, encryption, public access block, policy, lifecycle),
found through the property dependencies that point back at it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from foundation.backup_plan import lifecycle_prefix
from foundation.catalogue import BACKUP_FREQUENCIES, load_catalogue
from foundation.iam import listed
from foundation.oidc_documents import DISCOVERY_KEY
from policies.graph import Graph, Resource, Rule, document_statements, is_known, statement_principals
from policies.rules.resource_types import (
    BUCKET,
    BUCKET_ENCRYPTION,
    BUCKET_LIFECYCLE,
    BUCKET_LOGGING,
    BUCKET_OBJECT,
    BUCKET_POLICY,
    BUCKET_PUBLIC_ACCESS_BLOCK,
    BUCKET_VERSIONING,
)


def _is_issuer(graph: Graph, bucket: Resource) -> bool:
    """An OIDC issuer bucket: it serves the discovery document STS reads anonymously."""
    return any(o.inputs.get("key") == DISCOVERY_KEY for o in graph.referring(bucket, BUCKET_OBJECT, "bucket"))


def _is_log_target(graph: Graph, bucket: Resource) -> bool:
    return bool(graph.referring(bucket, BUCKET_LOGGING, "targetBucket"))


def _may_be_control_plane_log_bucket(graph: Graph, bucket: Resource) -> bool:
    """A bucket Red Hat's control-plane log forwarder writes (its policy grants Red Hat's central role), or one whose
    policy is not known yet (a first preview computes it): judged once it is."""
    central = {arn for envs in load_catalogue().log_forwarding.central_role_arns.values() for arn in envs.values()}
    policies = [p.inputs.get("policy") for p in graph.referring(bucket, BUCKET_POLICY, "bucket")]
    return any(not is_known(p) for p in policies) or any(
        central & set(statement_principals(statement, "AWS"))
        for policy in policies
        for statement in document_statements(policy)
    )


def bucket_versioning_enabled(graph: Graph, config: Mapping[str, Any]) -> Iterator[tuple[Resource, str]]:
    for bucket in graph.of_type(BUCKET):
        versioning = graph.referring(bucket, BUCKET_VERSIONING, "bucket")
        statuses = [v.inputs.get("versioningConfiguration", {}).get("status") for v in versioning]
        if "Enabled" not in statuses:
            yield bucket, "is not versioned: an overwritten or deleted object is gone"


BUCKET_VERSIONING_ENABLED = Rule(
    name="bucket-versioning-enabled",
    description="Every bucket is versioned.",
    remediation="Guard the bucket with components.bucket.guard_bucket.",
    level="mandatory",
    severity="high",  # an overwritten or deleted backup or issuer document cannot be restored
    check=bucket_versioning_enabled,
)


def bucket_encrypted_with_kms(graph: Graph, config: Mapping[str, Any]) -> Iterator[tuple[Resource, str]]:
    for bucket in graph.of_type(BUCKET):
        configs = graph.referring(bucket, BUCKET_ENCRYPTION, "bucket")
        defaults = [r.get("applyServerSideEncryptionByDefault", {}) for c in configs for r in c.inputs.get("rules", [])]
        if any(d.get("sseAlgorithm") in ("aws:kms", "aws:kms:dsse") and d.get("kmsMasterKeyId") for d in defaults):
            continue
        # SSE-S3 where KMS cannot work: STS reads an issuer anonymously; S3 delivers access logs only to SSE-S3; Red
        # Hat's control-plane log forwarder supports SSE-S3 only.
        if any(d.get("sseAlgorithm") == "AES256" for d in defaults) and (
            _is_issuer(graph, bucket)
            or _is_log_target(graph, bucket)
            or _may_be_control_plane_log_bucket(graph, bucket)
        ):
            continue
        yield bucket, "has no default SSE-KMS encryption with a customer-managed key"


BUCKET_ENCRYPTED_WITH_KMS = Rule(
    name="bucket-encrypted-with-kms",
    description=(
        "Every bucket encrypts by default with a customer-managed KMS key (SSE-S3 only for OIDC issuers, log "
        "targets and control-plane log buckets)."
    ),
    remediation="Pass kms_key_arn to components.bucket.guard_bucket, with a key from EncryptionKeys.",
    level="mandatory",
    severity="medium",  # S3 still encrypts with SSE-S3; lost is the key policy's control and audit
    check=bucket_encrypted_with_kms,
)


def bucket_public_access_blocked(graph: Graph, config: Mapping[str, Any]) -> Iterator[tuple[Resource, str]]:
    flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    for bucket in graph.of_type(BUCKET):
        blocks = graph.referring(bucket, BUCKET_PUBLIC_ACCESS_BLOCK, "bucket")
        # An issuer published by bucket policy must allow that public policy; ACLs stay blocked everywhere.
        required = flags[::2] if _is_issuer(graph, bucket) else flags
        if not any(all(b.inputs.get(f) is True for f in required) for b in blocks):
            yield bucket, f"does not turn on every public access block ({', '.join(required)})"


BUCKET_PUBLIC_ACCESS_BLOCKED = Rule(
    name="bucket-public-access-blocked",
    description="Every bucket turns on all four public access blocks (an OIDC issuer may allow its public policy).",
    remediation="Guard the bucket with components.bucket.guard_bucket.",
    level="mandatory",
    severity="high",  # one policy or ACL from public backups
    check=bucket_public_access_blocked,
)


def _denies_plain_http(statement: Mapping[str, Any], arn_suffix: str) -> bool:
    resources = [str(r) for r in listed(statement.get("Resource"))]
    return (
        statement.get("Effect") == "Deny"
        and "s3:*" in listed(statement.get("Action"))
        and "*" in [*statement_principals(statement, "AWS"), statement.get("Principal")]
        and statement.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
        and any(r.endswith(arn_suffix) for r in resources)
        and any(r.endswith(f"{arn_suffix}/*") for r in resources)
    )


def bucket_tls_only(graph: Graph, config: Mapping[str, Any]) -> Iterator[tuple[Resource, str]]:
    for bucket in graph.of_type(BUCKET):
        name = bucket.inputs.get("bucket")
        policies = graph.referring(bucket, BUCKET_POLICY, "bucket")
        if not is_known(name) or any(not is_known(p.inputs.get("policy")) for p in policies):
            continue
        statements = [s for p in policies for s in document_statements(p.inputs.get("policy"))]
        if not any(_denies_plain_http(s, f":s3:::{name}") for s in statements):
            yield bucket, "has no bucket policy denying every request without TLS (aws:SecureTransport false)"


BUCKET_TLS_ONLY = Rule(
    name="bucket-tls-only",
    description="Every bucket's policy denies every request made without TLS.",
    remediation="Guard the bucket with components.bucket.guard_bucket (its policy ends with DenyInsecureTransport).",
    level="mandatory",
    severity="medium",  # AWS's clients use TLS anyway; the deny stops a misconfigured one
    check=bucket_tls_only,
)


def bucket_lifecycle_meets_rosa_schedule(graph: Graph, config: Mapping[str, Any]) -> Iterator[tuple[Resource, str]]:
    # The prefixes BackupVault's lifecycle rules filter on, with ROSA's retention for each.
    schedule = {lifecycle_prefix(f): load_catalogue().backup.schedule(f).retention_days for f in BACKUP_FREQUENCIES}
    for bucket in graph.of_type(BUCKET):
        if _is_issuer(graph, bucket):
            continue  # the issuer's two documents must never expire
        lifecycles = graph.referring(bucket, BUCKET_LIFECYCLE, "bucket")
        if not lifecycles:
            yield bucket, "has no lifecycle configuration: nothing ever expires, incomplete uploads stay"
            continue
        for rule in (r for c in lifecycles for r in c.inputs.get("rules", [])):
            prefix = (rule.get("filter") or {}).get("prefix")
            days = (rule.get("expiration") or {}).get("days")
            if prefix in schedule and days is not None and days < schedule[prefix]:
                yield bucket, f"expires {prefix} after {days} days, before ROSA's {schedule[prefix]}"


BUCKET_LIFECYCLE_MEETS_ROSA_SCHEDULE = Rule(
    name="bucket-lifecycle-meets-rosa-schedule",
    description="Every bucket has a lifecycle; backup prefixes are kept at least as long as ROSA's schedule.",
    remediation="Set backup.retentionDays at or above ROSA's schedule; give other buckets a lifecycle configuration.",
    level="mandatory",
    severity="medium",  # restore points expire early or nothing expires; recent backups remain
    check=bucket_lifecycle_meets_rosa_schedule,
)

RULES = (
    BUCKET_VERSIONING_ENABLED,
    BUCKET_ENCRYPTED_WITH_KMS,
    BUCKET_PUBLIC_ACCESS_BLOCKED,
    BUCKET_TLS_ONLY,
    BUCKET_LIFECYCLE_MEETS_ROSA_SCHEDULE,
)
