"""The guardrails, once: each rule judges the whole resource graph and names the resource, the rule and the fix.

Two adapters feed them the same view of the graph: the CrossGuard pack (`policies/__main__.py`, every
`pulumi preview --policy-pack policies`) and the offline check over a render (`python -m policies.check`, part of
`make test`). Neither adapter knows a rule; no rule knows where its graph came from.

A rule sees every resource the program registers, including ones added by hand. Where a resource's value is not
known yet (a first preview), the rule skips that value; the update's own run judges it.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from foundation.catalogue import BACKUP_FREQUENCIES, load_catalogue
from foundation.iam import listed
from foundation.tags import PUBLIC_ENDPOINT_PORTS, PUBLIC_ENDPOINT_TAG

Level = Literal["advisory", "mandatory", "disabled"]


class _Unknown:
    """A value the engine does not know yet (first preview of a new resource)."""

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN = _Unknown()


@dataclass(frozen=True)
class Resource:
    type: str
    name: str  # logical name
    urn: str
    inputs: Mapping[str, Any]
    protect: bool
    dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # input key -> URNs it came from


class Graph:
    def __init__(self, resources: Iterable[Resource]):
        self.resources = list(resources)

    def of_type(self, *types: str) -> list[Resource]:
        return [r for r in self.resources if r.type in types]

    def referring(self, target: Resource, type_: str, key: str) -> list[Resource]:
        """Resources of `type_` whose input `key` came from `target` (e.g. the versioning of a bucket)."""
        return [r for r in self.of_type(type_) if target.urn in r.dependencies.get(key, ())]


@dataclass(frozen=True)
class Finding:
    rule: str
    level: Level
    resource: str  # logical name
    resource_type: str
    message: str
    remediation: str
    accepted_because: str | None = None  # an exception from the stack's policy config

    def __str__(self) -> str:
        text = f"[{self.level}] {self.rule}: {self.resource} ({self.resource_type}): {self.message}"
        if self.accepted_because:
            return f"{text} -- accepted: {self.accepted_because}"
        return f"{text}\n    fix: {self.remediation}"


Check = Callable[[Graph, Mapping[str, Any]], Iterator[tuple[Resource, str]]]


@dataclass(frozen=True)
class Rule:
    name: str  # kebab-case, as CrossGuard shows it
    description: str
    remediation: str
    level: Level
    check: Check
    config_schema: Mapping[str, Any] = field(default_factory=dict)  # the rule's own tunables (JSON schema properties)


# --- helpers over IAM documents ---------------------------------------------------------------------------------

ROLE = "aws:iam/role:Role"
BUCKET = "aws:s3/bucket:Bucket"
KMS_KEY = "aws:kms/key:Key"
WORLD = ("0.0.0.0/0", "::/0")
GRANT_ACTIONS = ("*", "*:*", "iam:*")
DOCUMENT_INPUTS = {
    "aws:iam/policy:Policy": "policy",
    "aws:iam/rolePolicy:RolePolicy": "policy",
    "aws:s3/bucketPolicy:BucketPolicy": "policy",
    KMS_KEY: "policy",
}


def _statements(text: Any) -> list[dict[str, Any]]:
    if not isinstance(text, str):
        return []  # unknown yet, or absent
    statements = json.loads(text).get("Statement", [])
    return statements if isinstance(statements, list) else [statements]


def _principals(statement: Mapping[str, Any], kind: str) -> list[str]:
    principal = statement.get("Principal")
    if principal == "*":
        return ["*"] if kind == "AWS" else []
    return listed((principal or {}).get(kind))


def _known(value: Any) -> bool:
    return value is not UNKNOWN


# --- the rules --------------------------------------------------------------------------------------------------


def federated_trust_pins_exact_sub(graph: Graph, config: Mapping[str, Any]) -> Iterator[tuple[Resource, str]]:
    for role in graph.of_type(ROLE):
        for statement in _statements(role.inputs.get("assumeRolePolicy")):
            if statement.get("Effect") != "Allow" or not _principals(statement, "Federated"):
                continue
            conditions = statement.get("Condition", {})
            exact = {k: listed(v) for k, v in conditions.get("StringEquals", {}).items() if k.endswith(":sub")}
            patterns = [k for op, keys in conditions.items() if "Like" in op for k in keys if k.endswith(":sub")]
            if patterns:
                yield role, f"matches {patterns[0]} with a pattern operator; any matching service account may assume it"
            elif not exact:
                yield role, "trusts a federated principal without a StringEquals condition on the token's :sub"
            elif any("*" in v or "?" in v for values in exact.values() for v in values):
                yield role, f"pins :sub with a wildcard: {exact}"


def trust_principals_documented(graph: Graph, config: Mapping[str, Any]) -> Iterator[tuple[Resource, str]]:
    catalogue = load_catalogue()
    red_hat = {
        f"arn:{partition}:iam::{account}:role/{role}"
        for partition in ("aws", "aws-us-gov", "aws-cn")
        for account in catalogue.ocm_account_ids.values()
        for role in catalogue.red_hat_roles.values()
    }
    allowed = red_hat | set(config.get("allowedPrincipals", ()))
    for role in graph.of_type(ROLE):
        for statement in _statements(role.inputs.get("assumeRolePolicy")):
            if statement.get("Effect") != "Allow":
                continue
            for principal in _principals(statement, "AWS"):
                if principal not in allowed:
                    yield (
                        role,
                        f"trusts AWS principal {principal!r}, which is neither Red Hat's documented role nor approved",
                    )
            for service in _principals(statement, "Service"):
                if not str(service).endswith(".amazonaws.com"):
                    yield role, f"trusts {service!r}, which is not an AWS service principal"


def no_admin_permissions(graph: Graph, config: Mapping[str, Any]) -> Iterator[tuple[Resource, str]]:
    admin_policies = ("AdministratorAccess", "IAMFullAccess")
    for resource in graph.resources:
        key = DOCUMENT_INPUTS.get(resource.type)
        documents = [resource.inputs.get(key)] if key else []
        if resource.type == ROLE:  # inline policies declared on the role itself
            documents += [p.get("policy") for p in resource.inputs.get("inlinePolicies") or []]
        for statement in (s for document in documents for s in _statements(document)):
            if statement.get("Effect") != "Allow":
                continue
            granted = [a for a in listed(statement.get("Action")) if a in GRANT_ACTIONS]
            # A key policy's own `kms:*` for the account root is AWS's default and not listed here.
            if granted:
                yield resource, f"allows {', '.join(granted)}"
        arns = listed(resource.inputs.get("policyArn")) + listed(resource.inputs.get("managedPolicyArns"))
        for arn in arns:
            if isinstance(arn, str) and arn.rsplit("/", 1)[-1] in admin_policies:
                yield resource, f"attaches {arn}"


def session_at_most_one_hour(graph: Graph, config: Mapping[str, Any]) -> Iterator[tuple[Resource, str]]:
    limit = int(config.get("maxSeconds", 3600))
    for role in graph.of_type(ROLE):
        seconds = role.inputs.get("maxSessionDuration", 3600)
        if _known(seconds) and int(seconds) > limit:
            yield role, f"lets sessions last {int(seconds)} s (at most {limit})"


def _is_issuer(graph: Graph, bucket: Resource) -> bool:
    """An OIDC issuer bucket: it serves the discovery document STS reads anonymously."""
    return any(
        o.inputs.get("key") == ".well-known/openid-configuration"
        for o in graph.referring(bucket, "aws:s3/bucketObjectv2:BucketObjectv2", "bucket")
    )


def _is_log_target(graph: Graph, bucket: Resource) -> bool:
    return bool(graph.referring(bucket, "aws:s3/bucketLogging:BucketLogging", "targetBucket"))


def bucket_versioning_enabled(graph: Graph, config: Mapping[str, Any]) -> Iterator[tuple[Resource, str]]:
    for bucket in graph.of_type(BUCKET):
        versioning = graph.referring(bucket, "aws:s3/bucketVersioning:BucketVersioning", "bucket")
        statuses = [v.inputs.get("versioningConfiguration", {}).get("status") for v in versioning]
        if "Enabled" not in statuses:
            yield bucket, "is not versioned: an overwritten or deleted object is gone"


def bucket_encrypted_with_kms(graph: Graph, config: Mapping[str, Any]) -> Iterator[tuple[Resource, str]]:
    for bucket in graph.of_type(BUCKET):
        configs = graph.referring(
            bucket,
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            "bucket",
        )
        defaults = [r.get("applyServerSideEncryptionByDefault", {}) for c in configs for r in c.inputs.get("rules", [])]
        if any(d.get("sseAlgorithm") in ("aws:kms", "aws:kms:dsse") and d.get("kmsMasterKeyId") for d in defaults):
            continue
        # SSE-S3 where KMS cannot work: STS reads an issuer anonymously; S3 delivers access logs only to SSE-S3.
        if any(d.get("sseAlgorithm") == "AES256" for d in defaults) and (
            _is_issuer(graph, bucket) or _is_log_target(graph, bucket)
        ):
            continue
        yield bucket, "has no default SSE-KMS encryption with a customer-managed key"


def bucket_public_access_blocked(graph: Graph, config: Mapping[str, Any]) -> Iterator[tuple[Resource, str]]:
    flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    for bucket in graph.of_type(BUCKET):
        blocks = graph.referring(bucket, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "bucket")
        # An issuer published by bucket policy must allow that public policy; ACLs stay blocked everywhere.
        required = flags[::2] if _is_issuer(graph, bucket) else flags
        if not any(all(b.inputs.get(f) is True for f in required) for b in blocks):
            yield bucket, f"does not turn on every public access block ({', '.join(required)})"


def _denies_plain_http(statement: Mapping[str, Any], arn_suffix: str) -> bool:
    resources = [str(r) for r in listed(statement.get("Resource"))]
    return (
        statement.get("Effect") == "Deny"
        and "s3:*" in listed(statement.get("Action"))
        and "*" in [*_principals(statement, "AWS"), statement.get("Principal")]
        and statement.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
        and any(r.endswith(arn_suffix) for r in resources)
        and any(r.endswith(f"{arn_suffix}/*") for r in resources)
    )


def bucket_tls_only(graph: Graph, config: Mapping[str, Any]) -> Iterator[tuple[Resource, str]]:
    for bucket in graph.of_type(BUCKET):
        name = bucket.inputs.get("bucket")
        policies = graph.referring(bucket, "aws:s3/bucketPolicy:BucketPolicy", "bucket")
        if not _known(name) or any(not _known(p.inputs.get("policy")) for p in policies):
            continue
        statements = [s for p in policies for s in _statements(p.inputs.get("policy"))]
        if not any(_denies_plain_http(s, f":s3:::{name}") for s in statements):
            yield bucket, "has no bucket policy denying every request without TLS (aws:SecureTransport false)"


def bucket_lifecycle_meets_rosa_schedule(graph: Graph, config: Mapping[str, Any]) -> Iterator[tuple[Resource, str]]:
    schedule = {f"{f}/": load_catalogue().backup.schedule(f).retention_days for f in BACKUP_FREQUENCIES}
    for bucket in graph.of_type(BUCKET):
        if _is_issuer(graph, bucket):
            continue  # the issuer's two documents must never expire
        lifecycles = graph.referring(
            bucket, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "bucket"
        )
        if not lifecycles:
            yield bucket, "has no lifecycle configuration: nothing ever expires, incomplete uploads stay"
            continue
        for rule in (r for c in lifecycles for r in c.inputs.get("rules", [])):
            prefix = (rule.get("filter") or {}).get("prefix")
            days = (rule.get("expiration") or {}).get("days")
            if prefix in schedule and days is not None and days < schedule[prefix]:
                yield bucket, f"expires {prefix} after {days} days, before ROSA's {schedule[prefix]}"


def kms_key_rotation_enabled(graph: Graph, config: Mapping[str, Any]) -> Iterator[tuple[Resource, str]]:
    for key in graph.of_type(KMS_KEY):
        symmetric = key.inputs.get("customerMasterKeySpec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT"
        if symmetric and key.inputs.get("enableKeyRotation") is not True:
            yield key, "does not rotate its key material"


def kms_deletion_window(graph: Graph, config: Mapping[str, Any]) -> Iterator[tuple[Resource, str]]:
    minimum = int(config.get("minimumDays", 7))
    for key in graph.of_type(KMS_KEY):
        days = key.inputs.get("deletionWindowInDays", 30)  # AWS's default
        if _known(days) and int(days) < minimum:
            yield key, f"can be deleted {int(days)} days after it is scheduled (at least {minimum})"


def security_group_no_world_ingress(graph: Graph, config: Mapping[str, Any]) -> Iterator[tuple[Resource, str]]:
    for rule in graph.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"):
        cidr = rule.inputs.get("cidrIpv4") or rule.inputs.get("cidrIpv6")
        if cidr not in WORLD:
            continue
        endpoint = (rule.inputs.get("tags") or {}).get(PUBLIC_ENDPOINT_TAG)
        port = PUBLIC_ENDPOINT_PORTS.get(endpoint)
        if port is None or rule.inputs.get("fromPort") != port or rule.inputs.get("toPort") != port:
            yield rule, f"opens port {rule.inputs.get('fromPort')} to {cidr}, which no setting declares public"
    for group in graph.of_type("aws:ec2/securityGroup:SecurityGroup"):
        for ingress in group.inputs.get("ingress") or []:
            world = [c for c in listed(ingress.get("cidrBlocks")) + listed(ingress.get("ipv6CidrBlocks")) if c in WORLD]
            if world:
                yield group, f"has inline ingress from {world[0]}; inline rules cannot be declared public"
    for rule in graph.of_type("aws:ec2/securityGroupRule:SecurityGroupRule"):
        world = [
            c for c in listed(rule.inputs.get("cidrBlocks")) + listed(rule.inputs.get("ipv6CidrBlocks")) if c in WORLD
        ]
        if rule.inputs.get("type") == "ingress" and world:
            yield rule, f"opens ingress from {world[0]}; use a described vpc.SecurityGroupIngressRule from settings"


STATEFUL = (
    BUCKET,
    KMS_KEY,
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    "aws:secretsmanager/secret:Secret",
    "tls:index/privateKey:PrivateKey",
)


def stateful_resources_protected(graph: Graph, config: Mapping[str, Any]) -> Iterator[tuple[Resource, str]]:
    for resource in graph.of_type(*STATEFUL):
        if not resource.protect:
            yield resource, "holds state a cluster or a restore depends on, but is not protected"
        if resource.inputs.get("forceDestroy") is True:
            yield resource, "is force-destroyable: deleting the stack would empty it"
        if resource.inputs.get("recoveryWindowInDays") == 0:
            yield resource, "can be deleted without a recovery window"


TAGGABLE = (
    ROLE,
    "aws:iam/policy:Policy",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    BUCKET,
    KMS_KEY,
    "aws:secretsmanager/secret:Secret",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:cloudfront/distribution:Distribution",
)


def required_tags(graph: Graph, config: Mapping[str, Any]) -> Iterator[tuple[Resource, str]]:
    required = list(config.get("tags", ["environment"]))
    for resource in graph.of_type(*TAGGABLE):
        tags = resource.inputs.get("tags") or {}
        if not _known(tags):
            continue
        missing = [t for t in required if t not in tags]
        if missing:
            yield resource, f"lacks the tags {', '.join(missing)}"


RULES: tuple[Rule, ...] = (
    Rule(
        "federated-trust-pins-exact-sub",
        "A role trusted by an OIDC provider names the exact service accounts (StringEquals on :sub, no wildcard).",
        "Build the trust with foundation.iam.web_identity_trust and the service accounts' exact subjects.",
        "mandatory",
        federated_trust_pins_exact_sub,
    ),
    Rule(
        "trust-principals-documented",
        "Roles trust only Red Hat's documented OCM roles, AWS services, or principals this stack approves.",
        "Trust Red Hat through AccountRoles, or list the principal under allowedPrincipals with a reviewer's consent.",
        "mandatory",
        trust_principals_documented,
        {"allowedPrincipals": {"type": "array", "items": {"type": "string"}}},
    ),
    Rule(
        "no-admin-permissions",
        "No policy allows *, *:* or iam:*, and no role gets AdministratorAccess or IAMFullAccess.",
        "Grant the actions the workload calls on the resources it uses.",
        "mandatory",
        no_admin_permissions,
    ),
    Rule(
        "session-at-most-one-hour",
        "Role sessions last at most one hour, as ROSA's own credentials do.",
        "Create roles with components.role.stack_role (maxSessionDuration 3600).",
        "mandatory",
        session_at_most_one_hour,
        {"maxSeconds": {"type": "integer", "minimum": 900, "maximum": 43200}},
    ),
    Rule(
        "bucket-versioning-enabled",
        "Every bucket is versioned.",
        "Guard the bucket with components.bucket.guard_bucket.",
        "mandatory",
        bucket_versioning_enabled,
    ),
    Rule(
        "bucket-encrypted-with-kms",
        "Every bucket encrypts by default with a customer-managed KMS key (SSE-S3 only for OIDC issuers and "
        "log targets).",
        "Pass kms_key_arn to components.bucket.guard_bucket, with a key from EncryptionKeys.",
        "mandatory",
        bucket_encrypted_with_kms,
    ),
    Rule(
        "bucket-public-access-blocked",
        "Every bucket turns on all four public access blocks (an OIDC issuer may allow its public policy).",
        "Guard the bucket with components.bucket.guard_bucket.",
        "mandatory",
        bucket_public_access_blocked,
    ),
    Rule(
        "bucket-tls-only",
        "Every bucket's policy denies every request made without TLS.",
        "Guard the bucket with components.bucket.guard_bucket (its policy ends with DenyInsecureTransport).",
        "mandatory",
        bucket_tls_only,
    ),
    Rule(
        "bucket-lifecycle-meets-rosa-schedule",
        "Every bucket has a lifecycle; backup prefixes are kept at least as long as ROSA's schedule.",
        "Set backup.retentionDays at or above ROSA's schedule; give other buckets a lifecycle configuration.",
        "mandatory",
        bucket_lifecycle_meets_rosa_schedule,
    ),
    Rule(
        "kms-key-rotation-enabled",
        "Every symmetric KMS key rotates its key material.",
        "Create keys with components.encryption_keys (enable_key_rotation=True).",
        "mandatory",
        kms_key_rotation_enabled,
    ),
    Rule(
        "kms-deletion-window",
        "A KMS key scheduled for deletion can be recovered for at least a week.",
        "Set encryption.deletionWindowDays to 7-30 (default 30).",
        "mandatory",
        kms_deletion_window,
        {"minimumDays": {"type": "integer", "minimum": 7, "maximum": 30}},
    ),
    Rule(
        "security-group-no-world-ingress",
        "No security group admits 0.0.0.0/0 or ::/0, except on an endpoint the settings declare public.",
        "List the networks in clusters[].network, or set publicApi / publicIngress on purpose.",
        "mandatory",
        security_group_no_world_ingress,
    ),
    Rule(
        "stateful-resources-protected",
        "Buckets, KMS keys, OIDC providers, secrets and signing keys are protected and never force-destroyed.",
        "Register them with protect=True (see README, What is protected).",
        "mandatory",
        stateful_resources_protected,
    ),
    Rule(
        "required-tags",
        "Taggable resources carry the tags the stack requires (default: environment).",
        "Set rosa-foundation:tags in the stack file.",
        "advisory",
        required_tags,
        {"tags": {"type": "array", "items": {"type": "string"}}},
    ),
)
EXCEPTIONS_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"resource": {"type": "string"}, "reason": {"type": "string", "minLength": 10}},
        "required": ["resource", "reason"],
        "additionalProperties": False,
    },
}


def run_rule(rule: Rule, graph: Graph, config: Mapping[str, Any]) -> list[Finding]:
    """One rule over `graph` with its config (`enforcementLevel`, `exceptions`, its tunables)."""
    level: Level = config.get("enforcementLevel", rule.level)
    if level == "disabled":
        return []
    findings = []
    for resource, message in rule.check(graph, config):
        reason = next(
            (e["reason"] for e in config.get("exceptions", []) if fnmatch.fnmatchcase(resource.name, e["resource"])),
            None,
        )
        findings.append(Finding(rule.name, level, resource.name, resource.type, message, rule.remediation, reason))
    return findings


def evaluate(graph: Graph, pack_config: Mapping[str, Any] | None = None) -> list[Finding]:
    """Every rule over `graph`, with the stack's policy config in CrossGuard's `--policy-pack-config` format:
    `{"<rule>": {"enforcementLevel": ..., "exceptions": [{"resource": ..., "reason": ...}], ...}}`."""
    return [f for rule in RULES for f in run_rule(rule, graph, dict((pack_config or {}).get(rule.name) or {}))]


def unknown_config_keys(pack_config: Mapping[str, Any]) -> list[str]:
    """Config entries that name no rule (a typo would silently keep the default)."""
    names = {r.name for r in RULES} | {"all"}
    return sorted(set(pack_config) - names)
