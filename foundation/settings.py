"""Typed, validated stack settings, read once from the stack's Pulumi config.

Every rule runs before any resource is registered. A violation raises `SettingsError`, whose one message names
each offending key (as written in `stacks/Pulumi.<stack>.yaml`), its value and what is allowed.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from functools import cached_property
from typing import Annotated, Any, Literal

import pulumi
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic.alias_generators import to_camel

from foundation import naming, tags
from foundation.catalogue import (
    AccountRoleSpec,
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


class ClusterSettings(_Model):
    name: ClusterName
    topology: Topology
    openshift_version: MinorVersion | None = None
    operator_role_prefix: RolePrefix | None = None  # default: the cluster name
    oidc: OidcSettings

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

    def self_hosted_bucket(self, cluster: ClusterSettings) -> str:
        assert isinstance(cluster.oidc, SelfHostedOidc)
        return cluster.oidc.bucket_name or f"{cluster.name}-oidc-{self.account_id}"

    # --- cross-field rules -----------------------------------------------------------------------------------

    @model_validator(mode="after")
    def _cross_field_rules(self) -> StackSettings:
        problems = [*self._partition_problems(), *self._cluster_problems(), *self._tag_problems()]
        problems += self._name_collisions()
        if problems:
            raise _ProblemsError(problems)
        return self

    def _partition_problems(self) -> Iterator[str]:
        expected = "aws-cn" if self.region.startswith("cn-") else "aws-us-gov" if "-gov-" in self.region else "aws"
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

    def _tag_problems(self) -> Iterator[str]:
        for key in sorted(set(self.tags) & tags.RESERVED_TAG_KEYS):
            yield f"{_key('tags')}.{key}: a tag key ROSA sets itself; choose another key"
        room = tags.MAX_TAGS_PER_RESOURCE - tags.MAX_ROSA_TAGS
        if len(self.tags) > room:
            yield f"{_key('tags')}: {len(self.tags)} tags; at most {room} fit beside ROSA's own (AWS allows 50)"

    def _name_collisions(self) -> list[str]:
        """Distinct names made equal by the 64-character cut would make two resources fight over one IAM name."""
        owners: dict[tuple[str, str], tuple[str, str]] = {}
        problems = []
        for kind, parts, owner in self._iam_names():
            full_name, cut = "-".join(parts), naming.iam_name(*parts)
            first_full, first_owner = owners.setdefault((kind, cut), (full_name, owner))
            if first_full != full_name:  # equal uncut names are duplicates, reported by the rules above
                problems.append(
                    f"{owner} and {first_owner} both become IAM {kind} {cut!r} after the 64-character cut; "
                    "shorten a prefix"
                )
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


def _key(name: str) -> str:
    return REGION_KEY if name == "region" else f"{PROJECT}:{name}"


# --- reading Pulumi config --------------------------------------------------------------------------------------

_STRUCTURED = {"tags", "clusters", "accountRoleTopologies"}


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
        return StackSettings.model_validate(raw)
    except _ProblemsError as found:
        raise SettingsError(found.problems) from None
    except ValidationError as invalid:
        raise SettingsError([_describe(error) for error in invalid.errors()]) from None


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
    model: type[BaseModel] = StackSettings
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        if part in ("managed", "self-hosted"):
            model = ManagedOidc if part == "managed" else SelfHostedOidc
            continue
        model = {"clusters": ClusterSettings, "oidc": ManagedOidc}.get(str(part), model)
    keys = sorted(f.alias or n for n, f in model.model_fields.items() if n != "region")
    return "allowed: " + ", ".join(keys)
