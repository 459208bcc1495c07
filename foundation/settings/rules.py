"""The settings rules that span fields: each yields one line per problem, naming the key as written in the stack
file, the value and what is allowed. They run after every field has passed its own rule, and before anything is
registered.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from foundation import iam_actions, naming, tags
from foundation.catalogue import BACKUP_FREQUENCIES, load_catalogue, version_key
from foundation.names import StackNames
from foundation.networks import world_covered
from foundation.partitions import partition_of
from foundation.project import config_key, shown
from foundation.settings import role_rules, rosa_rules, shared_vpc_rules
from foundation.settings.models import SelfHostedOidc, StackSettings
from foundation.settings.safety_rules import safety_problems
from foundation.settings.types import MAX_PREFIX, valid_bucket_name

# "Amazon CloudFront is not available in the AWS GovCloud (US) partition" (AWS GovCloud (US) User Guide).
CLOUDFRONT_PARTITIONS = frozenset({"aws"})
_BUCKET_PURPOSES = {"vault": "vault", "replica": "replica bucket", "access-log": "access log bucket"}


def cross_field_problems(settings: StackSettings) -> list[str]:
    """Every problem across fields, in the order the stack file reads."""
    names = StackNames(settings)
    problems = [*_partition_problems(settings, names), *_cluster_problems(settings, names)]
    problems += [*_tag_problems(settings, names), *_backup_problems(settings, names)]
    problems += [*_network_problems(settings, names), *_workload_problems(settings, names)]
    problems += rosa_rules.create_cluster_problems(settings, names)
    problems += rosa_rules.cluster_identity_problems(settings, names)
    problems += [*shared_vpc_rules.owner_problems(settings), *shared_vpc_rules.cluster_problems(settings)]
    problems += [*_layout_problems(settings, names), *_name_collisions(settings, names)]
    problems += _bucket_collisions(settings, names)
    problems += [*rosa_rules.managed_issuer_problems(settings), *rosa_rules.shared_issuer_problems(settings, names)]
    problems += [*_pipeline_problems(settings, names), *_admin_statement_problems(settings)]
    problems += [
        *role_rules.boundary_override_problems(settings, names),
        *role_rules.extra_policy_problems(settings, names),
    ]
    problems += rosa_rules.ocm_role_problems(settings)
    problems += [*safety_problems(settings, names), *rosa_rules.adopt_problems(settings)]
    return problems


def _partition_problems(settings: StackSettings, names: StackNames) -> Iterator[str]:
    expected = partition_of(settings.region)
    if settings.partition != expected:
        yield (
            f"{config_key('partition')} = {settings.partition!r}: region {settings.region!r} is in partition "
            f"{expected!r}; set partition to {expected!r}"
        )
    # IAM refuses an ARN of another partition in a document (MalformedPolicyDocument), half-way through an apply.
    for key, arn in (
        ("permissionsBoundary", settings.permissions_boundary),
        ("redHatSupportPrincipal", settings.red_hat_support_principal),
    ):
        if arn and naming.arn_partition(arn) != settings.partition:
            yield f"{config_key(key)} = {arn!r}: the ARN must be in this stack's partition {settings.partition!r}"
    if settings.partition not in CLOUDFRONT_PARTITIONS:
        for i, cluster in enumerate(settings.clusters):
            if isinstance(cluster.oidc, SelfHostedOidc) and cluster.oidc.public_access == "cloudfront":
                yield (
                    f"{config_key('clusters')}[{i}].oidc.publicAccess = 'cloudfront': CloudFront is not offered in "
                    f"partition {settings.partition!r}; use 'bucket-policy'"
                )


def _cluster_problems(settings: StackSettings, names: StackNames) -> Iterator[str]:
    seen_names: dict[str, int] = {}
    seen_prefixes: dict[str, int] = {}
    for i, cluster in enumerate(settings.clusters):
        here = f"{config_key('clusters')}[{i}]"
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
            yield f"{here}.openshiftVersion is missing: a classic cluster needs its OpenShift version (x.y.z)"
        if settings.account_role_topologies is not None and cluster.topology not in settings.account_role_topologies:
            yield (
                f"{here}.topology = {cluster.topology!r}: {config_key('accountRoleTopologies')} "
                f"{list(settings.account_role_topologies)} has no account roles for it"
            )
        if isinstance(cluster.oidc, SelfHostedOidc) and cluster.oidc.bucket_name is None:
            bucket = names.issuer_bucket(cluster)
            try:
                valid_bucket_name(str(bucket))
            except ValueError as unfit:
                yield f"{here}.oidc.bucketName: the default name {bucket!r} is not {unfit}; set bucketName"
        if cluster.operator_role_prefix is None and len(cluster.name) > MAX_PREFIX:
            yield (
                f"{here}.operatorRolePrefix: defaults to the cluster name {cluster.name!r} ({len(cluster.name)} "
                f"characters), over rosa's {MAX_PREFIX} for --operator-roles-prefix; set operatorRolePrefix"
            )
        # rosa create cluster refuses classic account roles whose rosa_openshift_version tag is older than the
        # cluster's minor: "Account role ... is not compatible with version ..." (data/SOURCES.md).
        newer = (
            cluster.openshift_minor
            and settings.classic_version
            and cluster.topology == "classic"
            and version_key(cluster.openshift_minor) > version_key(settings.classic_version)
        )
        if newer:
            yield (
                f"{here}.openshiftVersion = {cluster.openshift_version!r}: newer than "
                f"{config_key('classicPolicyVersion')} {settings.classic_version!r}; rosa refuses account roles "
                "older than the cluster ('not compatible with version'): raise classicPolicyVersion first"
            )
    known = load_catalogue().classic_versions
    derived = settings.classic_policy_version is None and settings.classic_version
    if derived and settings.classic_version not in known:
        yield (
            f"{config_key('classicPolicyVersion')} is missing and defaults to the newest classic cluster's minor "
            f"{settings.classic_version!r}, which has no vendored policies; set it to one of {', '.join(known)}"
        )
    if "classic" in settings.topologies and not settings.classic_version:
        yield (
            f"{config_key('classicPolicyVersion')} is missing: classic account roles need an OpenShift minor version "
            f"(one of {', '.join(load_catalogue().classic_versions)})"
        )


def _backup_problems(settings: StackSettings, names: StackNames) -> Iterator[str]:
    backup = settings.backup
    per_cluster_names = [i for i, c in enumerate(settings.clusters) if c.backup_bucket_name]
    if backup is None or backup.vault == "shared":
        for i in per_cluster_names:
            yield (
                f"{config_key('clusters')}[{i}].backupBucketName: only used with {config_key('backup')}.vault "
                "'per-cluster'; remove it or set the vault to per-cluster"
            )
    if backup is None:
        return
    here = config_key("backup")
    if backup.vault == "per-cluster" and backup.bucket_name:
        yield (
            f"{here}.bucketName: names the shared vault, but vault is 'per-cluster'; use clusters[].backupBucketName"
        )
    schedule = load_catalogue().backup
    for frequency in BACKUP_FREQUENCIES:
        days, rosa_days = backup.retention_days.of(frequency), schedule.schedule(frequency).retention_days
        if days < rosa_days and not backup.allow_retention_below_schedule:
            yield (
                f"{here}.retentionDays.{frequency} = {days}: shorter than ROSA's schedule ({rosa_days} days); "
                f"use at least {rosa_days}, or set {here}.allowRetentionBelowSchedule: true to accept it"
            )
    if backup.replica_region == settings.region:
        yield f"{here}.replicaRegion = {settings.region!r}: the replica must be in another region than aws:region"
    if backup.replica_region:
        expected = partition_of(backup.replica_region)
        if expected != settings.partition:
            yield f"{here}.replicaRegion = {backup.replica_region!r}: not in partition {settings.partition!r}"
    for vault in names.vaults():
        for derived in names.vault_buckets(vault):
            try:
                valid_bucket_name(derived.name)
            except ValueError as unfit:
                what = _BUCKET_PURPOSES[derived.purpose]
                yield (
                    f"{vault.key}: the {what} name {derived.name!r} derived from it is not {unfit}; use a shorter name"
                )


def _layout_problems(settings: StackSettings, names: StackNames) -> Iterator[str]:
    here = config_key("layout")
    if settings.layout == "vpc-owner":  # shared_vpc_rules.owner_problems
        return
    if settings.layout == "single":
        if settings.account_stack:
            yield f"{config_key('accountStack')}: only read by layout 'cluster'; {here} is 'single'"
        return
    if settings.layout == "account":
        if settings.clusters:
            yield f"{config_key('clusters')}: an account stack holds no clusters; give each a stack of layout 'cluster'"
        if not settings.account_role_topologies:
            yield f"{config_key('accountRoleTopologies')} is missing: an account stack has no clusters to infer it from"
        if settings.account_stack:
            yield f"{config_key('accountStack')}: only read by layout 'cluster'; {here} is 'account'"
    else:
        if not settings.account_stack:
            yield f"{config_key('accountStack')} is missing: a cluster stack reads the account stack's roles from it"
        if not settings.clusters:
            yield f"{config_key('clusters')} is empty: a cluster stack holds at least one cluster"
        if settings.ci_identity:
            yield (
                f"{config_key('ciIdentity')}: the pipeline's identity belongs to the account stack, not a cluster stack"
            )
    if settings.backup and settings.backup.vault == "shared":
        yield (
            f"{config_key('backup')}.vault = 'shared': in the split layout each cluster keeps its own vault "
            "('per-cluster'), so no cluster stack has to change the account stack"
        )


def _network_problems(settings: StackSettings, names: StackNames) -> Iterator[str]:
    for i, cluster in enumerate(settings.clusters):
        network = cluster.network
        if network is None:
            continue
        here = f"{config_key('clusters')}[{i}].network"
        group = names.security_group(cluster, "compute")  # every group is named like this one, by its role
        if network.vpc_id and group.lower().startswith("sg-"):
            yield (
                f"{config_key('clusters')}[{i}].name = {cluster.name!r}: its security groups would be named like "
                f"{group!r}, and EC2 refuses group names starting with 'sg-'; rename the cluster"
            )
        if network.vpc_id is None:
            for field, name in _GROUP_FIELDS.items():
                if name in network.model_fields_set:
                    yield (
                        f"{here}.{field}: a rule of the additional security groups, which are made in {here}.vpcId; "
                        "set vpcId or remove it"
                    )
        if cluster.topology == "hcp" and network.api_allowed_cidrs and not network.private:
            yield (
                f"{here}.apiAllowedCidrs: a public hosted control plane's API is served from Red Hat's account, not "
                f"through this VPC; set {here}.private: true for an API endpoint in the VPC, whose security group "
                "admits these CIDRs, or remove it"
            )
        if cluster.topology == "hcp" and network.public_api:
            yield (
                f"{here}.publicApi: the only API group of a hosted control plane is its private endpoint's "
                f"({here}.private), never public; remove it"
            )
        if cluster.topology == "classic" and network.private and network.public_api:
            yield (
                f"{here}.publicApi: a private cluster's API (rosa create cluster --private-link) is reached only "
                f"through this VPC, never from the internet; remove publicApi, or {here}.private for a public API"
            )
        for field, public in (
            ("apiAllowedCidrs", network.public_api),
            ("ingressAllowedCidrs", network.public_ingress),
        ):
            cidrs = network.api_allowed_cidrs if field == "apiAllowedCidrs" else network.ingress_allowed_cidrs
            world = world_covered(cidrs)  # the union: 0.0.0.0/1 and 128.0.0.0/1 open it as 0.0.0.0/0 does
            if world and not public:
                flag = "publicApi" if field == "apiAllowedCidrs" else "publicIngress"
                whole = all(w in cidrs for w in world)
                opened = ", ".join(world) if whole else f"together they cover {' and '.join(world)}, which"
                yield (
                    f"{here}.{field} = {shown(list(cidrs))}: {opened} opens it to the whole internet; "
                    f"list the networks that need it, or set {here}.{flag}: true to make it public on purpose"
                )
        # One rule per CIDR, named after it: a CIDR listed twice would register two resources of one name.
        for field, cidrs in (
            ("apiAllowedCidrs", network.api_allowed_cidrs),
            ("ingressAllowedCidrs", network.ingress_allowed_cidrs),
            ("egressCidrs", network.egress_cidrs),
        ):
            if len(set(cidrs)) != len(cidrs):
                yield f"{here}.{field} = {list(cidrs)!r}: lists a CIDR twice"


# The settings that only shape the additional security groups, by key as written and field name.
_GROUP_FIELDS = {
    "apiAllowedCidrs": "api_allowed_cidrs",
    "ingressAllowedCidrs": "ingress_allowed_cidrs",
    "publicApi": "public_api",
    "publicIngress": "public_ingress",
    "egressCidrs": "egress_cidrs",
}


def _workload_problems(settings: StackSettings, names: StackNames) -> Iterator[str]:
    for i, cluster in enumerate(settings.clusters):
        seen: dict[str, int] = {}
        for j, workload in enumerate(cluster.workload_roles):
            here = f"{config_key('clusters')}[{i}].workloadRoles[{j}]"
            yield from role_rules.workload_entry_problems(settings, names, here, workload)
            if workload.trusted_clusters:
                yield (
                    f"{here}.trustedClusters: a role several clusters trust outlives any one of them, so it lives in "
                    f"the stack's {config_key('workloadRoles')}; move the entry there"
                )
            if workload.slug in seen:
                first = seen[workload.slug]
                yield f"{here}: service account {workload.slug} already has a role (workloadRoles[{first}])"
            seen.setdefault(workload.slug, j)
    yield from role_rules.shared_role_problems(settings, names)


def _bucket_collisions(settings: StackSettings, names: StackNames) -> list[str]:
    owners: dict[str, str] = {}
    problems = []
    for bucket in names.buckets():
        first = owners.setdefault(bucket.name, bucket.key)
        if first != bucket.key:
            problems.append(f"{bucket.key}: bucket {bucket.name!r} is also used by {first}; bucket names are global")
    return problems


def _tag_problems(settings: StackSettings, names: StackNames) -> Iterator[str]:
    reserved, first = {key.lower() for key in tags.RESERVED_TAG_KEYS}, {}
    for key in settings.tags:  # IAM takes keys that differ only in case for one key
        other = first.setdefault(key.lower(), key)
        if key.lower() in reserved or other != key:
            what = "a tag key ROSA sets itself" if key.lower() in reserved else f"the same key as {other!r}"
            yield (
                f"{config_key('tags')}.{key}: {what} to IAM, which compares tag keys ignoring case; choose another key"
            )
    room = tags.MAX_TAGS_PER_RESOURCE - tags.MAX_ROSA_TAGS
    if len(settings.tags) > room:
        yield f"{config_key('tags')}: {len(settings.tags)} tags; at most {room} fit beside ROSA's own (AWS allows 50)"
    # The provider's default tags reach every taggable resource, a self-hosted issuer's two S3 objects included.
    issuers = [c.name for c in settings.clusters if names.issuer_bucket(c)]
    if issuers and len(settings.tags) > tags.MAX_TAGS_PER_S3_OBJECT:
        yield (
            f"{config_key('tags')}: {len(settings.tags)} tags; the self-hosted OIDC issuer of {', '.join(issuers)} "
            f"publishes its documents as S3 objects, which hold at most {tags.MAX_TAGS_PER_S3_OBJECT} tags, and the "
            "stack's tags go on every resource; keep at most that many"
        )


def _name_collisions(settings: StackSettings, names: StackNames) -> list[str]:
    """Two resources that would fight over one IAM name: distinct names made equal by the 64-character cut, or
    one name given to two different things (e.g. a workload role named like an operator role)."""
    owners: dict[tuple[str, str], tuple[str, str]] = {}
    problems = []
    for iam_name in names.iam_names().values():
        kind, owner, cut = iam_name.kind, iam_name.owner, iam_name.name
        first_full, first_owner = owners.setdefault((kind, cut), (iam_name.uncut, owner))
        if first_full != iam_name.uncut:
            problems.append(
                f"{owner} and {first_owner} both become IAM {kind} {cut!r} after the 64-character cut; shorten a prefix"
            )
        # Equal names of the same sort (two clusters with one prefix, ...) are reported by the rules above.
        elif _sort_of(owner) != _sort_of(first_owner):
            problems.append(f"{owner} and {first_owner} are both IAM {kind} {cut!r}; rename one")
    return problems


def _sort_of(owner: str) -> str:
    """`cluster 'a' operator role x/y` -> `operator role x/y`: what a name belongs to, whichever cluster."""
    return re.sub(r"^cluster '[^']*' ", "", owner)


def _pipeline_problems(settings: StackSettings, names: StackNames) -> Iterator[str]:
    """The CI identity needs the boundary that holds the pipeline's denies; the stack creates it in its account."""
    if not settings.ci_identity:
        return
    here = config_key("permissionsBoundary")
    boundary = settings.permissions_boundary
    if boundary is None:
        yield (
            f"{here} is missing: {config_key('ciIdentity')} needs a permissions boundary, which the stack creates and "
            "puts on every role it makes, the pipeline's included, so the pipeline's denies bind every role it can "
            f"write; name it, e.g. arn:{settings.partition}:iam::{settings.account_id}:policy{settings.iam_path}"
            f"{settings.account_role_prefix}-PipelineBoundary"
        )
        return
    if naming.arn_account(boundary) != settings.account_id:
        yield (
            f"{here} = {boundary!r}: with {config_key('ciIdentity')} the stack creates the boundary, so it must be in "
            f"this stack's account {settings.account_id}"
        )
    path_and_name = names.boundary_policy()
    taken = {n.name for n in names.iam_names().values() if n.kind == "policy"}
    if path_and_name and path_and_name[1] in taken:
        yield f"{here} = {boundary!r}: the stack already creates a policy named {path_and_name[1]!r}; choose another"


def _admin_statement_problems(settings: StackSettings) -> Iterator[str]:
    """A workload statement may not hand over the account (foundation.iam_actions): no permissions management,
    credential exposure, sts:Assume* or iam:PassRole on every resource of a kind."""
    for here, workload in settings.workload_role_entries():
        for k, statement in enumerate(workload.statements):
            if granted := iam_actions.admin_grants(statement.to_statement().to_dict()):
                shown = ", ".join(granted[:5]) + (f" (and {len(granted) - 5} more)" if len(granted) > 5 else "")
                yield (
                    f"{here}.statements[{k}]: actions "
                    f"{list(statement.actions)} on {list(statement.resources)} grant {shown} on every resource, "
                    "which hands over the account; name the roles, policies, buckets or keys the workload uses"
                )
