"""The settings rules that rosa and OCM would otherwise enforce half-way: what `rosa create cluster` accepts of a
cluster's version and network, how OCM names a managed issuer and shares one config, and what a split cluster stack
needs of its account stack. Each yields one line per problem, naming the key as written, the value and what is
allowed; sources in foundation/data/SOURCES.md.
"""

from __future__ import annotations

from collections.abc import Iterator

from foundation.catalogue import load_catalogue, version_key
from foundation.names import StackNames
from foundation.project import config_key, shown
from foundation.settings.models import ManagedOidc, StackSettings
from foundation.settings.types import valid_bucket_name


def create_cluster_problems(settings: StackSettings, names: StackNames) -> Iterator[str]:
    """What `rosa create cluster` would refuse of a cluster's network and version, so that its command runs as
    written (cmd/create/cluster/cmd.go; tests/data/rosa_create_cluster_flags.json cites each rule)."""
    spec = load_catalogue().create_cluster
    for i, cluster in enumerate(settings.clusters):
        here = f"{config_key('clusters')}[{i}].network"
        network, hcp = cluster.network, cluster.topology == "hcp"
        subnets = network.subnet_ids if network else ()
        private = bool(network and network.private)
        if settings.partition in spec.private_only_partitions and not private:
            yield (
                f"{here}.private is not true: rosa makes every cluster in {settings.partition} private (PrivateLink "
                "for classic, a private API and ingress for a hosted control plane); set it, with private subnets"
            )
        if not subnets and hcp:
            yield (
                f"{here}.subnetIds is missing: a hosted control plane cluster runs in an existing VPC, and rosa "
                "needs its subnets (--subnet-ids)"
            )
        elif not subnets and network and network.vpc_id:
            yield (
                f"{here}.subnetIds is missing: rosa takes additional security groups (those of {here}.vpcId) only "
                "for a cluster installed in an existing VPC, named by its subnets (--subnet-ids)"
            )
        elif not subnets and private:
            yield (
                f"{here}.subnetIds is missing: a private (PrivateLink) classic cluster is installed in an existing "
                "VPC, and rosa needs its private subnets (--subnet-ids)"
            )
        if len(set(subnets)) != len(subnets):
            yield f"{here}.subnetIds = {list(subnets)!r}: lists a subnet twice"
        elif subnets and hcp:
            exposure = "private" if private else "public"
            least = spec.hcp_min_subnets[exposure]
            if len(subnets) < least:
                yield (
                    f"{here}.subnetIds = {list(subnets)!r}: a {exposure} hosted control plane cluster needs at least "
                    f"{least} subnets" + ("" if private else ", a public and a private one")
                )
        elif subnets and spec.classic_multi_az(private, len(subnets)) is None:
            counts = spec.classic_subnets["private_link" if private else "public"]
            kind, per_zone = ("private (PrivateLink) ", "a private") if private else ("", "a public and a private")
            yield (
                f"{here}.subnetIds = {list(subnets)!r}: a {kind}classic cluster takes {counts['single_az']} subnets "
                f"(one availability zone) or {counts['multi_az']} (three), {per_zone} subnet per zone"
            )
        version = cluster.openshift_version
        if not (version and network and network.vpc_id):
            continue
        since = spec.additional_security_groups_since
        if version_key(version) < version_key(since):
            yield (
                f"{config_key('clusters')}[{i}].openshiftVersion = {version!r}: rosa takes additional security groups "
                f"(those of {here}.vpcId) from {since} on; use a newer version or remove vpcId"
            )
        since = spec.hcp_api_endpoint_security_groups_since
        if hcp and private and network.api_allowed_cidrs and version_key(version) < version_key(since):
            yield (
                f"{config_key('clusters')}[{i}].openshiftVersion = {version!r}: a security group on a hosted control "
                f"plane's API endpoint needs {since} or later; use a newer version or remove {here}.apiAllowedCidrs"
            )


def account_stack_problems(settings: StackSettings, account: StackSettings) -> Iterator[str]:
    """Where a cluster stack of the split layout and its account stack disagree on what rosa needs of them together:
    one account and partition, the account roles of each topology, and operator roles on the Installer role's path
    (rosa create operator-roles puts them there, and `rosa create cluster` refuses operator roles elsewhere)."""
    here = f"{config_key('accountStack')} = {shown(settings.account_stack)}"
    if account.layout == "cluster":
        yield f"{here}: is itself a cluster stack; name the account stack (layout 'account') its clusters share"
        return
    for key, ours, theirs in (
        ("accountId", settings.account_id, account.account_id),
        ("partition", settings.partition, account.partition),
        ("iamPath", settings.iam_path, account.iam_path),
        ("accountRolePrefix", settings.account_role_prefix, account.account_role_prefix),
        ("ocmEnvironment", settings.ocm_environment, account.ocm_environment),
        # `rosa create cluster --external-id` must name the id the account roles' trust requires.
        ("trustExternalId", settings.trust_external_id, account.trust_external_id),
    ):
        if ours != theirs:
            yield (
                f"{config_key(key)} = {shown(ours)}: the account stack has {shown(theirs)}; a cluster's operator roles "
                "must be in the account, partition and IAM path of the account roles they work with"
            )
    for i, cluster in enumerate(settings.clusters):
        where = f"{config_key('clusters')}[{i}]"
        if cluster.topology not in account.topologies:
            yield (
                f"{where}.topology = {cluster.topology!r}: the account stack has no {cluster.topology} account roles "
                f"(its accountRoleTopologies: {list(account.topologies)})"
            )
        newer = (
            cluster.topology == "classic"
            and cluster.openshift_minor
            and account.classic_version
            and version_key(cluster.openshift_minor) > version_key(account.classic_version)
        )
        if newer:
            yield (
                f"{where}.openshiftVersion = {cluster.openshift_version!r}: newer than the account stack's classic "
                f"policies ({account.classic_version}); update the account stack's classicPolicyVersion first"
            )


def managed_issuer_problems(settings: StackSettings) -> Iterator[str]:
    """A managed config's issuer as OCM names it, `<host>/<config id>`: Red Hat's production host only where it
    serves (production OCM, partition aws); elsewhere the settings copy the URL from `rosa list oidc-config`."""
    elsewhere = [
        f"{config_key(key)} {value!r}"
        for key, value, default in (
            ("ocmEnvironment", settings.ocm_environment, "production"),
            ("partition", settings.partition, "aws"),
        )
        if value != default
    ]
    for i, cluster in enumerate(settings.clusters):
        oidc, here = cluster.oidc, f"{config_key('clusters')}[{i}].oidc"
        if not isinstance(oidc, ManagedOidc):
            continue
        if oidc.issuer_url is None and elsewhere:
            yield (
                f"{here}.issuerUrl is missing: {load_catalogue().oidc.managed_issuer_host} is production OCM's issuer "
                f"host in partition 'aws', not for {' and '.join(elsewhere)}; copy the issuer URL of config "
                f"{oidc.config_id} from `rosa list oidc-config`"
            )
        elif oidc.issuer_url and not oidc.issuer_url.endswith(f"/{oidc.config_id}"):
            yield (
                f"{here}.issuerUrl = {oidc.issuer_url!r}: must end in /{oidc.config_id}, its configId (OCM names a "
                "managed issuer <host>/<config id>; `rosa list oidc-config` shows both)"
            )


def shared_issuer_problems(settings: StackSettings, names: StackNames) -> Iterator[str]:
    """Clusters on one OIDC config: one issuer, one config id. Its signing key signs every such cluster's tokens
    alike, so a role trusting `system:serviceaccount:<ns>:<sa>` of one is assumable from the same service account of
    any other: workload and backup roles there need the settings' say-so."""
    index = {cluster.name: i for i, cluster in enumerate(settings.clusters)}
    # config id -> (first cluster's index, its issuer); a self-hosted config is its cluster's alone (its own bucket).
    issuers: dict[str, tuple[int, str]] = {}
    for i, cluster in enumerate(settings.clusters):
        oidc = cluster.oidc
        if oidc.config_id is None:
            continue
        issuer = oidc.issuer if isinstance(oidc, ManagedOidc) else f"the self-hosted issuer of {cluster.name}"
        first, first_issuer = issuers.setdefault(oidc.config_id, (i, issuer))
        if first_issuer != issuer:
            yield (
                f"{config_key('clusters')}[{i}].oidc.configId = {oidc.config_id!r}: clusters[{first}] names it with "
                f"{first_issuer}, this cluster with {issuer}; one OIDC config has one issuer"
            )
    for clusters in names.issuers().values():
        if len(clusters) < 2:
            continue
        for cluster in clusters:
            oidc, i = cluster.oidc, index[cluster.name]
            roles = [f"workload role {w.slug}" for w in cluster.workload_roles]
            roles += ["backup role"] if settings.backup else []
            if not roles or not isinstance(oidc, ManagedOidc) or oidc.allow_roles_on_shared_issuer:
                continue
            others = ", ".join(f"clusters[{index[c.name]}] ({c.name})" for c in clusters if c is not cluster)
            here = f"{config_key('clusters')}[{i}].oidc"
            yield (
                f"{here}.configId = {oidc.config_id!r}: shared with {others}, whose tokens its key signs alike, so a "
                f"service account there can assume this cluster's {', '.join(roles)} by the same namespace and name; "
                f"give the cluster an OIDC config of its own, or set {here}.allowRolesOnSharedIssuer: true to accept it"
            )


def cluster_identity_problems(settings: StackSettings, names: StackNames) -> Iterator[str]:
    """What rosa refuses of an HCP-only feature (control-plane log forwarding, audit-log forwarding, AutoNode): on a
    classic cluster, in GovCloud, or where Red Hat publishes no log distribution role (openshift/rosa
    cmd/create/cluster/cmd.go, cmd/edit/cluster/cmd.go, pkg/helper/autonode; foundation/data/SOURCES.md)."""
    spec = load_catalogue().log_forwarding
    govcloud = settings.partition in load_catalogue().create_cluster.private_only_partitions
    for i, cluster in enumerate(settings.clusters):
        here = f"{config_key('clusters')}[{i}]"
        asked = {
            "logForwarding": ("control-plane log forwarding", cluster.log_forwarding is not None, True),
            "auditLog": ("audit-log forwarding to CloudWatch", cluster.audit_log, False),
            "autoNode": ("AutoNode", cluster.auto_node, True),
        }
        for key, (feature, on, refused_in_govcloud) in asked.items():
            if on and cluster.topology != "hcp":
                yield (
                    f"{here}.{key} is set on a {cluster.topology} cluster: rosa offers {feature} for hosted control "
                    "plane clusters only (topology: hcp); remove it"
                )
            elif on and govcloud and refused_in_govcloud:
                yield f"{here}.{key} is set: rosa offers no {feature} in {settings.partition} (GovCloud); remove it"
        forwarding = cluster.log_forwarding
        if forwarding is None or cluster.topology != "hcp" or govcloud:
            continue
        if spec.central_role_arn(settings.partition, settings.ocm_environment) is None:
            published = ", ".join(f"{env} OCM in {p}" for p, envs in spec.central_role_arns.items() for env in envs)
            yield (
                f"{here}.logForwarding is set: Red Hat publishes the role that delivers control-plane logs for "
                f"{published} only, not {settings.ocm_environment} OCM in {settings.partition}"
            )
        if not forwarding.cloudwatch and not forwarding.s3:
            yield f"{here}.logForwarding names no destination: cloudwatch, s3, or both"
        if (
            (bucket := names.identities.control_plane_log_bucket(cluster))
            and forwarding.s3
            and not forwarding.s3.bucket_name
        ):
            try:
                valid_bucket_name(bucket)
            except ValueError as unfit:
                yield (
                    f"{here}.logForwarding.s3: the bucket name {bucket!r} derived from the cluster's name is not "
                    f"{unfit}; name one in bucketName"
                )
        if not forwarding.groups and not forwarding.applications:
            yield (
                f"{here}.logForwarding forwards nothing: name at least one of groups "
                f"({', '.join(repr(g) for g in spec.groups)}) or applications"
            )
        if len(set(forwarding.groups)) != len(forwarding.groups):
            yield f"{here}.logForwarding.groups = {list(forwarding.groups)!r}: lists a group twice"


def adopt_problems(settings: StackSettings) -> Iterator[str]:
    """What `rosa-foundation:adopt` cannot mean: a kind named twice, account roles in a cluster stack of the split
    layout (its account stack holds them), or a kind of which the stack declares nothing (no import would happen)."""
    key = config_key("adopt")
    if settings.layout == "vpc-owner":  # the owner stack's own rule says it adopts nothing (shared_vpc_rules)
        return
    seen: set[str] = set()
    for i, kind in enumerate(settings.adopt):
        here = f"{key}[{i}] = {kind!r}"
        if kind in seen:
            yield f"{here}: named twice; name each kind once"
        seen.add(kind)
        if kind == "account-roles" and settings.layout == "cluster":
            yield f"{here}: a cluster stack reads its account roles from its account stack; adopt them there"
        elif kind == "operator-roles" and not settings.clusters and "classic" not in settings.topologies:
            yield f"{here}: the stack has no cluster and no classic operator policy to adopt"
        elif kind == "ocm-roles" and not (settings.ocm_role or settings.user_roles):
            yield f"{here}: the stack declares no ocmRole and no userRoles to adopt"
        elif kind == "oidc-providers" and not any(isinstance(c.oidc, ManagedOidc) for c in settings.clusters):
            yield (
                f"{here}: no cluster of the stack is on a managed OIDC config; a self-hosted issuer's provider is "
                "created with its bucket, never adopted"
            )


def ocm_role_problems(settings: StackSettings) -> Iterator[str]:
    """The OCM role and user roles belong with the account roles (one OCM role per account and organisation: rosa
    refuses a second), and IAM takes one role per name whatever its case, so one per OCM user."""
    if settings.layout == "cluster":
        for key, value in (("ocmRole", settings.ocm_role), ("userRoles", settings.user_roles)):
            if value:
                yield (
                    f"{config_key(key)}: the OCM and user roles link the account to Red Hat's OCM and belong to the "
                    f"account stack ({config_key('accountStack')}), not a cluster stack; move it there"
                )
    firsts: dict[tuple[str, str], int] = {}
    for i, user in enumerate(settings.user_roles):
        for key, value in (("ocmUsername", user.ocm_username), ("ocmAccountId", user.ocm_account_id)):
            first = firsts.setdefault((key, value.lower()), i)
            if first != i:
                yield (
                    f"{config_key('userRoles')}[{i}].{key} = {shown(value)}: userRoles[{first}] has it already; an "
                    "OCM user has one user role (IAM compares role names ignoring case)"
                )
