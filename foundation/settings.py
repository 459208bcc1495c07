"""Typed, validated stack settings, read once from the stack's Pulumi config.

Every rule runs before any resource is registered. A violation raises `SettingsError`, whose one message names
each offending key (as written in `stacks/Pulumi.<stack>.yaml`), its value and what is allowed.
"""

from __future__ import annotations

import ipaddress
import json
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from functools import cached_property
from typing import Annotated, Any, Literal, get_args

import pulumi
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic.alias_generators import to_camel

from foundation import iam, naming, tags
from foundation.catalogue import (
    BACKUP_FREQUENCIES,
    AccountRoleSpec,
    BackupFrequency,
    OcmEnvironment,
    OperatorRoleSpec,
    Topology,
    load_catalogue,
    version_key,
)

PROJECT = "rosa-foundation"
REGION_KEY = "aws:region"
# Config namespaces this program reads: its own, its providers' and Pulumi's. Any other is a typo, never ignored.
KNOWN_NAMESPACES = frozenset({PROJECT, "aws", "tls", "pulumi"})
MAX_PREFIX = 32  # rosa's limit for --prefix and --operator-roles-prefix
Partition = Literal["aws", "aws-us-gov", "aws-cn"]
TOPOLOGY_ORDER: tuple[Topology, ...] = ("hcp", "classic")


class SettingsError(pulumi.RunError):
    """Invalid stack settings. Pulumi prints a RunError's message without a traceback."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(
            f"Invalid stack settings ({len(problems)} {noun}); nothing was registered:\n"
            + "\n".join(f"  - {p}" for p in problems)
        )


class _ProblemsError(Exception):
    """Cross-field problems found by a model validator, each already naming its key (pydantic passes it through)."""

    def __init__(self, problems: list[str]):
        super().__init__(problems)
        self.problems = problems


# --- single-value rules: each returns the value or raises ValueError saying what is allowed ----------------------


def _rule(pattern: str, allowed: str) -> Callable[[str], str]:
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(allowed)
        return value

    return check


def _iam_path(value: str) -> str:
    if len(value) > 512 or not re.fullmatch(r"/(?:[A-Za-z0-9_+=,.@-]+/)*", value):
        raise ValueError("an IAM path: '/' or '/a/b/' (segments of letters, digits and _+=,.@-; at most 512)")
    return value


def _tag_text(kind: str, maximum: int, minimum: int) -> Callable[[str], str]:
    def check(value: str) -> str:
        if not minimum <= len(value) <= maximum:
            raise ValueError(f"a tag {kind} of {minimum} to {maximum} characters")
        bad = [c for c in value if not (unicodedata.category(c)[0] in "LNZ" or c in "_.:/=+-@")]
        if bad:
            raise ValueError(f"a tag {kind} of letters, digits, spaces and _.:/=+-@ only (found {''.join(bad)!r})")
        if kind == "key" and value.lower().startswith("aws:"):
            raise ValueError("a tag key not starting with 'aws:' (AWS reserves that prefix)")
        return value

    return check


def _bucket_name(value: str) -> str:
    reserved = value.startswith(("xn--", "sthree-")) or value.endswith(("-s3alias", "--ol-s3", "--x-s3"))
    if reserved or not re.fullmatch(r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]", value):
        raise ValueError(
            "an S3 bucket name of 3 to 63 lower-case letters, digits or '-' starting and ending with a letter or "
            "digit, without S3's reserved prefixes (xn--, sthree-) and suffixes (-s3alias, --ol-s3, --x-s3); no dots: "
            "STS fetches the issuer over TLS, and dotted names break the certificate match"
        )
    return value


def _version(value: str) -> str:
    known = load_catalogue().classic_versions
    if value not in known:
        raise ValueError(f"an OpenShift minor version with vendored policy documents: one of {', '.join(known)}")
    return value


AccountId = Annotated[str, AfterValidator(_rule(r"\d{12}", "a 12-digit AWS account id, quoted in YAML"))]
Region = Annotated[str, AfterValidator(_rule(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}", "an AWS region id"))]
RolePrefix = Annotated[
    str,
    AfterValidator(
        _rule(
            rf"[A-Za-z0-9_+=.@-]{{1,{MAX_PREFIX}}}",
            "1 to 32 letters, digits or _+=.@- (rosa's prefix rule, less ',' which the rosa_role_prefix tag refuses)",
        )
    ),
]
ClusterName = Annotated[
    str,
    AfterValidator(
        _rule(
            r"[a-z](?:[a-z0-9-]{0,52}[a-z0-9])?",
            "1 to 54 lower-case letters, digits or '-', starting with a letter and ending with a letter or digit "
            "(ROSA's cluster name rule)",
        )
    ),
]
IamPath = Annotated[str, AfterValidator(_iam_path)]
PolicyArn = Annotated[
    str,
    AfterValidator(
        _rule(
            r"arn:aws(-us-gov|-cn)?:iam::(\d{12}|aws):policy/(?:[A-Za-z0-9_+=,.@-]+/)*[A-Za-z0-9_+=,.@-]{1,128}",
            "an IAM policy ARN, arn:<partition>:iam::<account>:policy/<path><name>",
        )
    ),
]
ExternalId = Annotated[
    str, AfterValidator(_rule(r"[\w+=,.@:/-]{2,1224}", "2 to 1224 letters, digits or _+=,.@:/- (STS's rule)"))
]
TagKey = Annotated[str, AfterValidator(_tag_text("key", 128, 1))]
TagValue = Annotated[str, AfterValidator(_tag_text("value", 256, 0))]
MinorVersion = Annotated[str, AfterValidator(_version)]
OidcConfigId = Annotated[
    str, AfterValidator(_rule(r"[a-z0-9]{32}", "an OIDC config id: 32 lower-case letters or digits"))
]
Thumbprint = Annotated[
    str, AfterValidator(_rule(r"[0-9a-fA-F]{40}", "a certificate thumbprint: 40 hex digits (SHA-1)"))
]
IssuerUrl = Annotated[
    str,
    AfterValidator(
        _rule(
            r"https://[a-z0-9.-]+(?::\d+)?(?:/[A-Za-z0-9._~-]+)*",
            "an https:// issuer URL with no trailing '/', query or fragment",
        )
    ),
]
BucketName = Annotated[str, AfterValidator(_bucket_name)]


def _cidr(value: str) -> str:
    try:
        network = ipaddress.ip_network(value, strict=True)
    except ValueError:
        raise ValueError(
            "a CIDR block in canonical form, e.g. 10.0.0.0/16 or 2001:db8::/56 (no host bits set)"
        ) from None
    if str(network) != value:
        raise ValueError(f"a CIDR block written canonically: {network}")
    return value


Cidr = Annotated[str, AfterValidator(_cidr)]
VpcId = Annotated[
    str, AfterValidator(_rule(r"vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})", "a VPC id: vpc- and 8 or 17 hex digits"))
]
KubernetesName = Annotated[
    str,
    AfterValidator(
        _rule(
            r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?",
            "a Kubernetes name: 1 to 63 lower-case letters, digits or '-', starting and ending with a letter or digit",
        )
    ),
]
RoleNamePart = Annotated[
    str, AfterValidator(_rule(r"[A-Za-z0-9_+=,.@-]{1,64}", "1 to 64 letters, digits or _+=,.@- (IAM's role name rule)"))
]
# Actions that give away the account: never granted by a workload statement.
_ACCOUNT_WIDE_ACTIONS = frozenset({"*", "*:*", "iam:*", "sts:*", "kms:*", "organizations:*"})


def _action(value: str) -> str:
    if value in _ACCOUNT_WIDE_ACTIONS:
        raise ValueError(f"a specific action, not one of {', '.join(sorted(_ACCOUNT_WIDE_ACTIONS))}")
    return _rule(r"[a-z0-9-]+:[A-Za-z0-9*?]+", "an IAM action 'service:Action'")(value)


Action = Annotated[str, AfterValidator(_action)]
ResourceArn = Annotated[
    str,
    AfterValidator(
        _rule(
            r"\*|arn:aws(-us-gov|-cn)?:[a-z0-9-]+:[a-z0-9-]*:(\d{12}|aws|\*)?:.+",
            "'*' or an ARN, arn:<partition>:<service>:<region>:<account>:<resource>",
        )
    ),
]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", alias_generator=to_camel, populate_by_name=False)


class ManagedOidc(_Model):
    """An OIDC config hosted by Red Hat (`rosa create oidc-config --managed`): only the IAM provider is ours."""

    mode: Literal["managed"]
    config_id: OidcConfigId
    issuer_url: IssuerUrl | None = None  # default: Red Hat's production issuer for config_id
    thumbprint: Thumbprint | None = None

    @property
    def issuer(self) -> str:
        return self.issuer_url or f"https://{load_catalogue().oidc.managed_issuer_host}/{self.config_id}"


class SelfHostedOidc(_Model):
    """An OIDC config kept in this account: key pair, discovery documents in S3, private key in Secrets Manager."""

    mode: Literal["self-hosted"]
    bucket_name: BucketName | None = None  # default: <cluster>-oidc-<account id>
    public_access: Literal["bucket-policy", "cloudfront"] = "bucket-policy"
    thumbprint: Thumbprint | None = None
    config_id: OidcConfigId | None = None  # known once registered with OCM (`rosa register oidc-config`)


OidcSettings = Annotated[ManagedOidc | SelfHostedOidc, Field(discriminator="mode")]


class ConditionSettings(_Model):
    operator: Annotated[
        str,
        AfterValidator(
            _rule(r"(ForAnyValue:|ForAllValues:)?[A-Za-z]+(IfExists)?", "an IAM condition operator, e.g. StringEquals")
        ),
    ]
    key: Annotated[str, AfterValidator(_rule(r"[A-Za-z0-9-]+:[A-Za-z0-9_:/.*-]+", "a condition key 'svc:Key'"))]
    values: tuple[str, ...] = Field(min_length=1)


class StatementSettings(_Model):
    """One identity policy statement of a workload role."""

    effect: Literal["Allow", "Deny"] = "Allow"
    actions: tuple[Action, ...] = Field(min_length=1)
    resources: tuple[ResourceArn, ...] = Field(min_length=1)
    conditions: tuple[ConditionSettings, ...] = ()

    def to_statement(self) -> iam.Statement:
        return iam.Statement(
            self.effect,
            self.actions,
            resources=self.resources,
            conditions=tuple(iam.Condition(c.operator, c.key, c.values) for c in self.conditions),
        )

    @model_validator(mode="after")
    def _valid_iam(self) -> StatementSettings:
        try:
            self.to_statement()
        except iam.PolicyError as invalid:
            raise ValueError(str(invalid)) from None
        return self


class WorkloadRoleSettings(_Model):
    """An IRSA role for one application service account (seed 004): trusted by exactly that subject."""

    namespace: KubernetesName
    service_account: KubernetesName
    role_name: RoleNamePart | None = None  # default: <operator prefix>-<namespace>-<service account>
    managed_policy_arns: tuple[PolicyArn, ...] = ()
    statements: tuple[StatementSettings, ...] = ()

    @property
    def subject(self) -> str:
        return naming.service_account_subject(self.namespace, self.service_account)

    @property
    def slug(self) -> str:
        return f"{self.namespace}/{self.service_account}"


class NetworkSettings(_Model):
    """The cluster's existing VPC and who may reach its API (6443) and ingress (443)."""

    vpc_id: VpcId
    api_allowed_cidrs: tuple[Cidr, ...] = ()
    ingress_allowed_cidrs: tuple[Cidr, ...] = ()
    public_api: bool = False  # only then may 0.0.0.0/0 or ::/0 reach the API
    public_ingress: bool = False  # only then may 0.0.0.0/0 or ::/0 reach ingress
    egress_cidrs: tuple[Cidr, ...] = ("0.0.0.0/0",)  # nodes pull images and reach AWS APIs (through NAT or proxy)


class ClusterSettings(_Model):
    name: ClusterName
    topology: Topology
    openshift_version: MinorVersion | None = None
    operator_role_prefix: RolePrefix | None = None  # default: the cluster name
    oidc: OidcSettings
    network: NetworkSettings | None = None  # no security groups without it
    workload_roles: tuple[WorkloadRoleSettings, ...] = ()
    backup_bucket_name: BucketName | None = None  # per-cluster vaults only; default <cluster>-backups-<account id>

    def workload_role_name(self, workload: WorkloadRoleSettings) -> str:
        return workload.role_name or naming.iam_name(*self.workload_role_name_parts(workload))

    def workload_role_name_parts(self, workload: WorkloadRoleSettings) -> tuple[str, ...]:
        if workload.role_name:
            return (workload.role_name,)
        return (self.operator_prefix, workload.namespace, workload.service_account)

    def backup_role_name_parts(self) -> tuple[str, ...]:
        return (self.operator_prefix, load_catalogue().backup.oadp.namespace, "backup")

    @property
    def operator_prefix(self) -> str:
        return self.operator_role_prefix or self.name

    def operator_role_name(self, spec: OperatorRoleSpec) -> str:
        return naming.iam_name(*self.operator_role_name_parts(spec))

    def operator_role_name_parts(self, spec: OperatorRoleSpec) -> tuple[str, ...]:
        return (self.operator_prefix, spec.namespace, spec.operator)

    @property
    def operator_specs(self) -> tuple[OperatorRoleSpec, ...]:
        return load_catalogue().topology(self.topology).operator_roles


class RetentionDays(_Model):
    """Days each backup frequency is kept: Velero's TTL and the bucket's expiry both come from here."""

    hourly: int = Field(default=1, ge=1, le=3650)
    daily: int = Field(default=7, ge=1, le=3650)
    weekly: int = Field(default=30, ge=1, le=3650)

    def of(self, frequency: BackupFrequency) -> int:
        return int(getattr(self, frequency))

    @property
    def longest(self) -> int:
        return max(self.of(f) for f in BACKUP_FREQUENCIES)


class ObjectLockSettings(_Model):
    """WORM protection; the default retention is the longest backup retention, so no backup outlives its lock."""

    mode: Literal["GOVERNANCE", "COMPLIANCE"]


class BackupSettings(_Model):
    vault: Literal["shared", "per-cluster"] = "shared"
    bucket_name: BucketName | None = None  # shared vault; default rosa-backups-<account id>-<region>
    retention_days: RetentionDays = Field(default_factory=RetentionDays)
    allow_retention_below_schedule: bool = False  # the explicit override for retention shorter than ROSA's
    noncurrent_version_days: int = Field(default=7, ge=1, le=365)  # deleted or overwritten backups stay this long
    object_lock: ObjectLockSettings | None = None
    replica_region: Region | None = None  # a copy in another region, for the region-loss case
    access_logging: bool = False
    access_log_retention_days: int = Field(default=365, ge=1, le=3650)


class EncryptionSettings(_Model):
    deletion_window_days: int = Field(default=30, ge=7, le=30)  # KMS allows 7 to 30


class CiIdentitySettings(_Model):
    """GitHub Actions' keyless identity in this account: deploy and preview roles for one repository environment."""

    owner: Annotated[str, AfterValidator(_rule(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})", "a GitHub owner name"))]
    repository: Annotated[
        str, AfterValidator(_rule(r"[A-Za-z0-9._-]{1,100}", "a GitHub repository name (letters, digits, ._-)"))
    ]
    # The GitHub environment whose jobs may deploy this stack (its reviewers gate the apply); `<environment>-preview`
    # is the ungated one the preview jobs run in.
    environment: Annotated[
        str, AfterValidator(_rule(r"[A-Za-z0-9_-]{1,64}", "a GitHub environment name of letters, digits, _ or -"))
    ]
    state_bucket: BucketName | None = None  # the S3 state backend the pipeline logs in to, if S3
    github_oidc_provider_arn: (
        Annotated[
            str,
            AfterValidator(
                _rule(
                    r"arn:aws(-us-gov|-cn)?:iam::\d{12}:oidc-provider/token\.actions\.githubusercontent\.com",
                    "the ARN of this account's IAM OIDC provider for token.actions.githubusercontent.com",
                )
            ),
        ]
        | None
    ) = None  # the account already has GitHub's provider (one per account); default: create it

    @property
    def subject(self) -> str:
        return f"repo:{self.owner}/{self.repository}:environment:{self.environment}"

    @property
    def preview_subject(self) -> str:
        return f"repo:{self.owner}/{self.repository}:environment:{self.environment}-preview"


class QuotaSettings(_Model):
    """AWS quotas the stack checks its own needs against before registering anything (AWS's defaults; raise a value
    here after raising the quota in Service Quotas)."""

    roles_per_account: int = Field(default=1000, ge=1)
    oidc_providers_per_account: int = Field(default=100, ge=1)
    customer_managed_policies_per_account: int = Field(default=1500, ge=1)
    managed_policies_per_role: int = Field(default=10, ge=1, le=20)
    role_trust_policy_size: int = Field(default=2048, ge=1, le=4096)
    buckets_per_account: int = Field(default=10000, ge=1)
    rules_per_security_group: int = Field(default=60, ge=1, le=1000)


class StackSettings(_Model):
    account_id: AccountId
    region: Region
    partition: Partition = "aws"
    account_role_prefix: RolePrefix = "ManagedOpenShift"
    iam_path: IamPath = "/"
    permissions_boundary: PolicyArn | None = None
    tags: dict[TagKey, TagValue] = Field(default_factory=dict)
    trust_external_id: ExternalId | None = None
    ocm_environment: OcmEnvironment = "production"
    account_role_topologies: tuple[Topology, ...] | None = None  # default: the topologies the clusters use
    classic_policy_version: MinorVersion | None = None  # default: the newest classic cluster's version
    clusters: tuple[ClusterSettings, ...] = ()
    backup: BackupSettings | None = None  # no backup vault without it
    encryption: EncryptionSettings = Field(default_factory=EncryptionSettings)
    # Keep buckets and keys in AWS even when the stack itself is destroyed (after `pulumi state unprotect`).
    retain_stateful_on_delete: bool = True
    ci_identity: CiIdentitySettings | None = None  # off by default
    quotas: QuotaSettings = Field(default_factory=QuotaSettings)
    # single: one stack for the account and its clusters. account / cluster: the split layout for large fleets, an
    # account stack and one stack per cluster reading the account stack's outputs (README, "One stack or many").
    layout: Literal["single", "account", "cluster"] = "single"
    account_stack: (
        Annotated[
            str,
            AfterValidator(
                _rule(
                    r"(?:[\w.-]+/){0,2}[\w.-]+",
                    "a stack reference: <stack>, <project>/<stack> or <org>/<project>/<stack>",
                )
            ),
        ]
        | None
    ) = None

    # --- derived facts the components use ------------------------------------------------------------------

    @cached_property
    def topologies(self) -> tuple[Topology, ...]:
        wanted = set(self.account_role_topologies or (c.topology for c in self.clusters))
        return tuple(t for t in TOPOLOGY_ORDER if t in wanted)

    @cached_property
    def classic_version(self) -> str | None:
        """The version of the account-wide classic policies: explicit, else the newest classic cluster's."""
        if self.classic_policy_version:
            return self.classic_policy_version
        versions = [c.openshift_version for c in self.clusters if c.topology == "classic" and c.openshift_version]
        return max(versions, key=version_key) if versions else None

    @property
    def ocm_account_id(self) -> str:
        return load_catalogue().ocm_account_ids[self.ocm_environment]

    def account_role_name(self, spec: AccountRoleSpec) -> str:
        return naming.iam_name(*self._account_role_parts(spec))

    def classic_account_policy_name(self, spec: AccountRoleSpec) -> str:
        return naming.iam_name(*self._account_role_parts(spec), "Policy")

    def classic_operator_policy_name(self, spec: OperatorRoleSpec) -> str:
        return naming.iam_name(*self._operator_policy_parts(spec))

    def _account_role_parts(self, spec: AccountRoleSpec) -> tuple[str, ...]:
        return (self.account_role_prefix, spec.role, "Role")

    def _operator_policy_parts(self, spec: OperatorRoleSpec) -> tuple[str, ...]:
        return (self.account_role_prefix, spec.namespace, spec.operator)

    def backup_bucket(self, cluster: ClusterSettings | None) -> str:
        """The vault of `cluster` (per-cluster vaults) or the stack's shared vault (`cluster` None)."""
        assert self.backup
        if cluster is None:
            return self.backup.bucket_name or f"rosa-backups-{self.account_id}-{self.region}"
        return cluster.backup_bucket_name or f"{cluster.name}-backups-{self.account_id}"

    def ci_role_name_parts(self, kind: str) -> tuple[str, ...]:
        assert self.ci_identity
        return (self.account_role_prefix, "github", kind, self.ci_identity.environment)

    def replication_role_name_parts(self, bucket: str) -> tuple[str, ...]:
        return (self.account_role_prefix, "replication", bucket)

    def self_hosted_bucket(self, cluster: ClusterSettings) -> str:
        assert isinstance(cluster.oidc, SelfHostedOidc)
        return cluster.oidc.bucket_name or f"{cluster.name}-oidc-{self.account_id}"

    # --- cross-field rules -----------------------------------------------------------------------------------

    @model_validator(mode="after")
    def _cross_field_rules(self) -> StackSettings:
        problems = [*self._partition_problems(), *self._cluster_problems(), *self._tag_problems()]
        problems += [*self._backup_problems(), *self._network_problems(), *self._workload_problems()]
        problems += list(self._layout_problems())
        problems += self._name_collisions()
        problems += self._bucket_collisions()
        if problems:
            raise _ProblemsError(problems)
        return self

    def _partition_problems(self) -> Iterator[str]:
        expected = _partition_of(self.region)
        if self.partition != expected:
            yield (
                f"{_key('partition')} = {self.partition!r}: region {self.region!r} is in partition {expected!r}; "
                f"set partition to {expected!r}"
            )
        if self.permissions_boundary and self.permissions_boundary.split(":")[1] != self.partition:
            yield (
                f"{_key('permissionsBoundary')} = {self.permissions_boundary!r}: the ARN must be in this stack's "
                f"partition {self.partition!r}"
            )

    def _cluster_problems(self) -> Iterator[str]:
        seen_names: dict[str, int] = {}
        seen_prefixes: dict[str, int] = {}
        for i, cluster in enumerate(self.clusters):
            here = f"{_key('clusters')}[{i}]"
            if cluster.name in seen_names:
                yield f"{here}.name = {cluster.name!r}: already used by clusters[{seen_names[cluster.name]}]"
            seen_names.setdefault(cluster.name, i)
            if cluster.operator_prefix in seen_prefixes:
                yield (
                    f"{here}.operatorRolePrefix = {cluster.operator_prefix!r}: already used by "
                    f"clusters[{seen_prefixes[cluster.operator_prefix]}]; each cluster needs its own operator roles"
                )
            seen_prefixes.setdefault(cluster.operator_prefix, i)
            if cluster.topology == "classic" and not cluster.openshift_version:
                yield f"{here}.openshiftVersion is missing: a classic cluster needs its OpenShift minor version"
            if self.account_role_topologies is not None and cluster.topology not in self.account_role_topologies:
                yield (
                    f"{here}.topology = {cluster.topology!r}: {_key('accountRoleTopologies')} "
                    f"{list(self.account_role_topologies)} has no account roles for it"
                )
            if isinstance(cluster.oidc, SelfHostedOidc) and cluster.oidc.bucket_name is None:
                bucket = self.self_hosted_bucket(cluster)
                try:
                    _bucket_name(bucket)
                except ValueError as unfit:
                    yield f"{here}.oidc.bucketName: the default name {bucket!r} is not {unfit}; set bucketName"
            if cluster.operator_role_prefix is None and len(cluster.name) > MAX_PREFIX:
                yield (
                    f"{here}.operatorRolePrefix: defaults to the cluster name {cluster.name!r} ({len(cluster.name)} "
                    f"characters), over rosa's {MAX_PREFIX} for --operator-roles-prefix; set operatorRolePrefix"
                )
            newer = (
                cluster.openshift_version
                and self.classic_version
                and cluster.topology == "classic"
                and version_key(cluster.openshift_version) > version_key(self.classic_version)
            )
            if newer:
                yield (
                    f"{here}.openshiftVersion = {cluster.openshift_version!r}: newer than "
                    f"{_key('classicPolicyVersion')} {self.classic_version!r}; ROSA needs account policies at least "
                    f"as new as the cluster"
                )
        if "classic" in self.topologies and not self.classic_version:
            yield (
                f"{_key('classicPolicyVersion')} is missing: classic account roles need an OpenShift minor version "
                f"(one of {', '.join(load_catalogue().classic_versions)})"
            )

    def _backup_problems(self) -> Iterator[str]:
        backup = self.backup
        per_cluster_names = [i for i, c in enumerate(self.clusters) if c.backup_bucket_name]
        if backup is None or backup.vault == "shared":
            for i in per_cluster_names:
                yield (
                    f"{_key('clusters')}[{i}].backupBucketName: only used with {_key('backup')}.vault "
                    "'per-cluster'; remove it or set the vault to per-cluster"
                )
        if backup is None:
            return
        here = _key("backup")
        if backup.vault == "per-cluster" and backup.bucket_name:
            yield (
                f"{here}.bucketName: names the shared vault, but vault is 'per-cluster'; "
                "use clusters[].backupBucketName"
            )
        schedule = load_catalogue().backup
        for frequency in BACKUP_FREQUENCIES:
            days, rosa_days = backup.retention_days.of(frequency), schedule.schedule(frequency).retention_days
            if days < rosa_days and not backup.allow_retention_below_schedule:
                yield (
                    f"{here}.retentionDays.{frequency} = {days}: shorter than ROSA's schedule ({rosa_days} days); "
                    f"use at least {rosa_days}, or set {here}.allowRetentionBelowSchedule: true to accept it"
                )
        if backup.replica_region == self.region:
            yield f"{here}.replicaRegion = {self.region!r}: the replica must be in another region than aws:region"
        if backup.replica_region:
            expected = _partition_of(backup.replica_region)
            if expected != self.partition:
                yield f"{here}.replicaRegion = {backup.replica_region!r}: not in partition {self.partition!r}"
        for vault_key, bucket in self.vault_buckets():
            for derived, what in self._vault_companions(bucket):
                try:
                    _bucket_name(derived)
                except ValueError as unfit:
                    yield f"{vault_key}: the {what} name {derived!r} derived from it is not {unfit}; use a shorter name"

    def vault_buckets(self) -> Iterator[tuple[str, str]]:
        """(key that sets it, bucket name) of every backup vault."""
        assert self.backup
        if self.backup.vault == "shared":
            yield f"{_key('backup')}.bucketName", self.backup_bucket(None)
            return
        for i, cluster in enumerate(self.clusters):
            yield f"{_key('clusters')}[{i}].backupBucketName", self.backup_bucket(cluster)

    def _vault_companions(self, bucket: str) -> Iterator[tuple[str, str]]:
        assert self.backup
        yield bucket, "vault"
        if self.backup.replica_region:
            yield replica_bucket_name(bucket, self.backup.replica_region), "replica bucket"
        if self.backup.access_logging:
            yield access_log_bucket_name(bucket), "access log bucket"

    def _layout_problems(self) -> Iterator[str]:
        here = _key("layout")
        if self.layout == "single":
            if self.account_stack:
                yield f"{_key('accountStack')}: only read by layout 'cluster'; {here} is 'single'"
            return
        if self.layout == "account":
            if self.clusters:
                yield f"{_key('clusters')}: an account stack holds no clusters; give each a stack of layout 'cluster'"
            if not self.account_role_topologies:
                yield f"{_key('accountRoleTopologies')} is missing: an account stack has no clusters to infer it from"
            if self.account_stack:
                yield f"{_key('accountStack')}: only read by layout 'cluster'; {here} is 'account'"
        else:
            if not self.account_stack:
                yield f"{_key('accountStack')} is missing: a cluster stack reads the account stack's roles from it"
            if not self.clusters:
                yield f"{_key('clusters')} is empty: a cluster stack holds at least one cluster"
            if self.ci_identity:
                yield f"{_key('ciIdentity')}: the pipeline's identity belongs to the account stack, not a cluster stack"
        if self.backup and self.backup.vault == "shared":
            yield (
                f"{_key('backup')}.vault = 'shared': in the split layout each cluster keeps its own vault "
                "('per-cluster'), so no cluster stack has to change the account stack"
            )

    def _network_problems(self) -> Iterator[str]:
        for i, cluster in enumerate(self.clusters):
            network = cluster.network
            if network is None:
                continue
            here = f"{_key('clusters')}[{i}].network"
            if cluster.topology == "hcp" and network.api_allowed_cidrs:
                yield (
                    f"{here}.apiAllowedCidrs: a hosted control plane's API is not behind this VPC's security groups; "
                    "remove it (use rosa's --private / --additional-allowed-principals)"
                )
            for field, public in (
                ("apiAllowedCidrs", network.public_api),
                ("ingressAllowedCidrs", network.public_ingress),
            ):
                cidrs = network.api_allowed_cidrs if field == "apiAllowedCidrs" else network.ingress_allowed_cidrs
                world = [c for c in cidrs if c.endswith("/0")]
                if world and not public:
                    flag = "publicApi" if field == "apiAllowedCidrs" else "publicIngress"
                    yield (
                        f"{here}.{field} = {list(cidrs)!r}: {', '.join(world)} opens it to the whole internet; "
                        f"list the networks that need it, or set {here}.{flag}: true to make it public on purpose"
                    )
                if len(set(cidrs)) != len(cidrs):
                    yield f"{here}.{field} = {list(cidrs)!r}: lists a CIDR twice"

    def _workload_problems(self) -> Iterator[str]:
        for i, cluster in enumerate(self.clusters):
            seen: dict[str, int] = {}
            for j, workload in enumerate(cluster.workload_roles):
                here = f"{_key('clusters')}[{i}].workloadRoles[{j}]"
                if not (workload.managed_policy_arns or workload.statements):
                    yield f"{here}: grants nothing; give managedPolicyArns or statements (or both)"
                for arn in workload.managed_policy_arns:
                    if arn.split(":")[1] != self.partition:
                        yield f"{here}.managedPolicyArns: {arn!r} is not in this stack's partition {self.partition!r}"
                if workload.slug in seen:
                    first = seen[workload.slug]
                    yield f"{here}: service account {workload.slug} already has a role (workloadRoles[{first}])"
                seen.setdefault(workload.slug, j)

    def bucket_names(self) -> list[tuple[str, str]]:
        """Every bucket the stack manages, as (the key that names it, bucket name): issuers, vaults, replicas, logs."""
        buckets = [
            (f"{_key('clusters')}[{i}].oidc.bucketName", self.self_hosted_bucket(c))
            for i, c in enumerate(self.clusters)
            if isinstance(c.oidc, SelfHostedOidc)
        ]
        if self.backup:
            buckets += [
                (key, name) for key, bucket in self.vault_buckets() for name, _ in self._vault_companions(bucket)
            ]
        return buckets

    def issuer_buckets(self) -> list[str]:
        return [self.self_hosted_bucket(c) for c in self.clusters if isinstance(c.oidc, SelfHostedOidc)]

    def _bucket_collisions(self) -> list[str]:
        owners: dict[str, str] = {}
        problems = []
        for key, bucket in self.bucket_names():
            first = owners.setdefault(bucket, key)
            if first != key:
                problems.append(f"{key}: bucket {bucket!r} is also used by {first}; bucket names are global")
        return problems

    def _tag_problems(self) -> Iterator[str]:
        for key in sorted(set(self.tags) & tags.RESERVED_TAG_KEYS):
            yield f"{_key('tags')}.{key}: a tag key ROSA sets itself; choose another key"
        room = tags.MAX_TAGS_PER_RESOURCE - tags.MAX_ROSA_TAGS
        if len(self.tags) > room:
            yield f"{_key('tags')}: {len(self.tags)} tags; at most {room} fit beside ROSA's own (AWS allows 50)"

    def _name_collisions(self) -> list[str]:
        """Two resources that would fight over one IAM name: distinct names made equal by the 64-character cut, or
        one name given to two different things (e.g. a workload role named like an operator role)."""
        owners: dict[tuple[str, str], tuple[str, str]] = {}
        problems = []
        for kind, parts, owner in self._iam_names():
            full_name, cut = "-".join(parts), naming.iam_name(*parts)
            first_full, first_owner = owners.setdefault((kind, cut), (full_name, owner))
            if first_full != full_name:
                problems.append(
                    f"{owner} and {first_owner} both become IAM {kind} {cut!r} after the 64-character cut; "
                    "shorten a prefix"
                )
            # Equal names of the same sort (two clusters with one prefix, ...) are reported by the rules above.
            elif _sort_of(owner) != _sort_of(first_owner):
                problems.append(f"{owner} and {first_owner} are both IAM {kind} {cut!r}; rename one")
        return problems

    def _iam_names(self) -> Iterator[tuple[str, tuple[str, ...], str]]:
        """Every IAM name the stack will create, uncut, as (kind, name parts, who owns it)."""
        catalogue = load_catalogue()
        for topology in self.topologies:
            for spec in catalogue.topology(topology).account_roles:
                yield "role", self._account_role_parts(spec), f"{topology} account role {spec.role}"
                if topology == "classic":
                    yield "policy", (*self._account_role_parts(spec), "Policy"), f"classic policy of {spec.role}"
        if "classic" in self.topologies:
            for spec in catalogue.classic.operator_roles:
                yield "policy", self._operator_policy_parts(spec), f"classic operator policy {spec.slug}"
        for cluster in self.clusters:
            for spec in cluster.operator_specs:
                owner = f"cluster {cluster.name!r} operator role {spec.slug}"
                yield "role", cluster.operator_role_name_parts(spec), owner
            if self.backup:
                yield "role", cluster.backup_role_name_parts(), f"cluster {cluster.name!r} backup role"
            for workload in cluster.workload_roles:
                owner = f"cluster {cluster.name!r} workload role {workload.slug}"
                yield "role", cluster.workload_role_name_parts(workload), owner
        if self.backup and self.backup.replica_region:
            for _, bucket in self.vault_buckets():
                yield "role", self.replication_role_name_parts(bucket), f"replication role of vault {bucket!r}"
        if self.ci_identity:
            for kind in ("deploy", "preview"):
                yield "role", self.ci_role_name_parts(kind), f"CI {kind} role"


def _sort_of(owner: str) -> str:
    """`cluster 'a' operator role x/y` -> `operator role x/y`: what a name belongs to, whichever cluster."""
    return re.sub(r"^cluster '[^']*' ", "", owner)


def _partition_of(region: str) -> str:
    return "aws-cn" if region.startswith("cn-") else "aws-us-gov" if "-gov-" in region else "aws"


def replica_bucket_name(bucket: str, replica_region: str) -> str:
    return f"{bucket}-{replica_region}"


def access_log_bucket_name(bucket: str) -> str:
    return f"{bucket}-logs"


def _key(name: str) -> str:
    return REGION_KEY if name == "region" else f"{PROJECT}:{name}"


# --- reading Pulumi config --------------------------------------------------------------------------------------

_STRUCTURED = {"tags", "clusters", "accountRoleTopologies", "backup", "encryption", "ciIdentity", "quotas"}


def settings_from_config(config: Mapping[str, str]) -> StackSettings:
    """Build settings from raw Pulumi config (`{'rosa-foundation:accountId': '...', 'aws:region': '...'}`).

    Structured values arrive as JSON text, as the Pulumi engine passes them. Keys of this project that the
    model does not know are refused, so a typo never silently falls back to a default.
    """
    raw: dict[str, Any] = {}
    problems: list[str] = []
    for full_key, text in config.items():
        namespace, _, key = full_key.partition(":")
        if namespace not in KNOWN_NAMESPACES:
            problems.append(
                f"{full_key}: unknown config namespace {namespace!r} (a typo?); this stack reads "
                f"{', '.join(sorted(n + ':*' for n in KNOWN_NAMESPACES))}"
            )
        elif full_key == REGION_KEY:
            raw["region"] = text
        elif namespace == PROJECT:
            if key in _STRUCTURED:
                try:
                    raw[key] = json.loads(text)
                except json.JSONDecodeError:
                    problems.append(f"{full_key} = {text!r}: expected a YAML list or mapping, got text")
                    continue
            else:
                raw[key] = text
    if "region" not in raw:
        problems.append(f"{REGION_KEY} is missing: the stack needs its AWS region")
    if problems:
        raise SettingsError(problems)
    try:
        settings = StackSettings.model_validate(raw)
    except _ProblemsError as found:
        raise SettingsError(found.problems) from None
    except ValidationError as invalid:
        raise SettingsError([_describe(error) for error in invalid.errors()]) from None
    from foundation.quotas import quota_problems  # sizes need the documents, which need valid settings

    if problems := quota_problems(settings):
        raise SettingsError(problems)
    return settings


def load_settings() -> StackSettings:
    """The stack's settings from the running Pulumi program's config."""
    from pulumi.runtime.config import CONFIG  # the engine's raw key -> text map

    return settings_from_config(dict(CONFIG.get()))


def _describe(error: Mapping[str, Any]) -> str:
    where = _config_path(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"{where}: unknown key (a typo?); {_allowed_keys(error['loc'])}"
    if kind == "missing":
        return f"{where} is missing: it is required"
    if kind == "union_tag_invalid":
        return f"{where} = {error.get('input')!r}: mode must be 'managed' or 'self-hosted'"
    message = error["msg"].removeprefix("Value error, ")
    message = message.replace("Input should be", "expected" if kind != "literal_error" else "must be")
    if kind == "value_error":
        message = f"must be {message}"
    return f"{where} = {error.get('input')!r}: {message}"


def _config_path(loc: tuple[Any, ...]) -> str:
    """('clusters', 0, 'oidc', 'managed', 'configId') -> 'rosa-foundation:clusters[0].oidc.configId'."""
    parts = [p for p in loc if p not in ("managed", "self-hosted", "[key]")]
    text = _key(str(parts[0]))
    for part in parts[1:]:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _allowed_keys(loc: tuple[Any, ...]) -> str:
    """The keys a model accepts where pydantic found an unknown one, found by walking `loc` through the models."""
    model: type[BaseModel] = StackSettings
    for part in loc[:-1]:
        if part in ("managed", "self-hosted"):
            model = ManagedOidc if part == "managed" else SelfHostedOidc
        elif isinstance(part, str):
            field = next((f for n, f in model.model_fields.items() if (f.alias or n) == part), None)
            model = _model_in(field.annotation) or model if field else model
    keys = sorted(f.alias or n for n, f in model.model_fields.items() if n != "region")
    return "allowed: " + ", ".join(keys)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The settings model inside an annotation such as `tuple[ClusterSettings, ...]` or `BackupSettings | None`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next((m for arg in get_args(annotation) if (m := _model_in(arg))), None)
