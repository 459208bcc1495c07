"""The settings rules of HCP shared VPC: what a VPC owner stack (layout `vpc-owner`) may share, what rosa accepts of a
cluster installed in another account's VPC, and where a cluster stack and the owner stack it names disagree. Each
yields one line per problem, naming the key as written, the value and what is allowed; sources in
foundation/data/SOURCES.md ("HCP shared VPC").
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from foundation.catalogue import load_catalogue
from foundation.project import config_key, shown
from foundation.settings.models import StackSettings
from foundation.settings.shared_vpc_models import SharedVpcClusterSettings

_OWNER_HOLDS_NONE = {
    "clusters": "an owner stack holds no clusters: each cluster's stack names it (network.sharedVpc.ownerStack)",
    "accountRoleTopologies": "an owner stack makes no account roles: they are in the cluster's account",
    "accountStack": "only read by layout 'cluster'",
    "backup": "an owner stack holds no clusters to back up",
    "ocmRole": "the OCM role links the clusters' account to Red Hat's OCM, not the VPC owner's",
    "userRoles": "user roles link the clusters' account to Red Hat's OCM, not the VPC owner's",
    "adopt": "what rosa makes (account and operator roles, OIDC providers) is in the clusters' account; an owner stack "
    "declares none of it, so nothing would be imported",
}


def owner_problems(settings: StackSettings) -> Iterator[str]:
    """A VPC owner stack: its `sharedVpc` block, only with layout `vpc-owner`, and what rosa accepts of each cluster."""
    here, spec = config_key("sharedVpc"), load_catalogue().shared_vpc
    if settings.layout != "vpc-owner":
        if settings.shared_vpc:
            yield f"{here}: only read by {config_key('layout')} 'vpc-owner' (the VPC owner's own stack)"
        return
    if settings.shared_vpc is None:
        yield f"{here} is missing: a stack of layout 'vpc-owner' shares a VPC with the clusters it lists"
        return
    held = {
        "clusters": settings.clusters,
        "accountRoleTopologies": settings.account_role_topologies,
        "accountStack": settings.account_stack,
        "backup": settings.backup,
        "ocmRole": settings.ocm_role,
        "userRoles": settings.user_roles,
        "adopt": settings.adopt,
    }
    for key, why in _OWNER_HOLDS_NONE.items():
        if held[key]:
            yield f"{config_key(key)}: {why}; remove it from the layout 'vpc-owner' stack"
    if settings.partition not in spec.partitions:
        yield (
            f"{config_key('partition')} = {settings.partition!r}: rosa offers hosted control planes in a shared VPC "
            f"only in {', '.join(spec.partitions)} ('not supported on Govcloud regions')"
        )
    names: dict[str, int] = {}
    domains: dict[str, int] = {}
    for i, served in enumerate(settings.shared_vpc.clusters):
        where = f"{here}.clusters[{i}]"
        if served.name in names:
            yield f"{where}.name = {served.name!r}: already used by clusters[{names[served.name]}]"
        names.setdefault(served.name, i)
        yield from _name_problems(f"{where}.name", served.name)
        if served.account_id == settings.account_id:
            yield (
                f"{where}.accountId = {served.account_id!r}: is this owner stack's own account; a shared VPC serves "
                "clusters of other accounts (a cluster in this account uses the VPC as it is)"
            )
        if not served.base_domain.endswith(tuple(f".{suffix}" for suffix in spec.base_domain_suffixes)):
            yield (
                f"{where}.baseDomain = {served.base_domain!r}: the Route53 role may write records only under "
                f"{', '.join(spec.base_domain_suffixes)} (Red Hat's policy); reserve one with `rosa create dns-domain "
                "--hosted-cp` and copy it from `rosa list dns-domains`"
            )
        if served.base_domain in domains:
            first = domains[served.base_domain]
            yield (
                f"{where}.baseDomain = {served.base_domain!r}: already used by clusters[{first}]; OCM gives each "
                "reserved domain to one cluster"
            )
        domains.setdefault(served.base_domain, i)
        if len(set(served.subnet_ids)) != len(served.subnet_ids):
            yield f"{where}.subnetIds = {list(served.subnet_ids)!r}: lists a subnet twice"


def cluster_problems(settings: StackSettings) -> Iterator[str]:
    """A cluster in another account's VPC (`network.sharedVpc`): rosa takes it for hosted control planes only, outside
    GovCloud, named as its domain prefix allows, and this stack makes no security groups in a VPC it does not own."""
    spec = load_catalogue().shared_vpc
    for i, cluster in enumerate(settings.clusters):
        network = cluster.network
        if network is None or network.shared_vpc is None:
            continue
        here = f"{config_key('clusters')}[{i}].network"
        if cluster.topology != "hcp":
            yield (
                f"{here}.sharedVpc: rosa's shared-VPC roles and hosted zones (--vpc-endpoint-role-arn, "
                "--hcp-internal-communication-hosted-zone-id) are for hosted control planes only; remove it"
            )
        if settings.partition not in spec.partitions:
            yield (
                f"{here}.sharedVpc: rosa offers hosted control planes in a shared VPC only in "
                f"{', '.join(spec.partitions)}, not {settings.partition!r}"
            )
        yield from _name_problems(f"{config_key('clusters')}[{i}].name", cluster.name)
        if network.vpc_id:
            yield (
                f"{here}.vpcId: the VPC is the owner's; this stack makes no security groups in another account's VPC, "
                "remove vpcId (and its CIDR settings)"
            )


def _name_problems(key: str, name: str) -> Iterator[str]:
    most = load_catalogue().shared_vpc.max_cluster_name
    if len(name) > most:
        yield (
            f"{key} = {name!r}: rosa installs a cluster into a shared VPC only if its name (its domain prefix) has at "
            f"most {most} characters"
        )


def owner_stack_problems(settings: StackSettings, owners: Mapping[str, StackSettings]) -> Iterator[str]:
    """Where a cluster and the VPC owner stack it names (`owners`, by reference as written) disagree: the owner must
    serve the cluster, by its name, from this account, under the roles' names this stack gives them, in one partition
    and region (subnets and shares are regional), with every subnet the cluster uses."""
    for i, cluster in enumerate(settings.clusters):
        shared = cluster.network.shared_vpc if cluster.network else None
        if shared is None or shared.owner_stack not in owners:
            continue
        owner = owners[shared.owner_stack]
        here = f"{config_key('clusters')}[{i}].network.sharedVpc.ownerStack = {shown(shared.owner_stack)}"
        if owner.layout != "vpc-owner" or owner.shared_vpc is None:
            yield f"{here}: is not a VPC owner stack (layout 'vpc-owner' with sharedVpc)"
            continue
        served = next((c for c in owner.shared_vpc.clusters if c.name == cluster.name), None)
        if served is None:
            yield f"{here}: does not serve cluster {cluster.name!r}; add it to that stack's sharedVpc.clusters"
            continue
        for key, ours, theirs in _agreed(settings, cluster.operator_prefix, owner, served):
            if ours != theirs:
                yield (
                    f"{here}: names {key} {shown(theirs)}, this stack {shown(ours)}; its roles would trust roles "
                    "this stack does not make"
                )
        missing = [s for s in cluster.network.subnet_ids if s not in served.subnet_ids] if cluster.network else []
        if missing:
            yield f"{here}: does not share subnet(s) {', '.join(missing)} with cluster {cluster.name!r}"


def account_boundary_problems(settings: StackSettings, account: StackSettings) -> Iterator[str]:
    """A split cluster stack's shared-VPC cluster under its account stack's pipeline boundary: that boundary (on the
    Installer there, and on this stack's roles through `permissionsBoundary`) lets no role assume one beyond the
    account stack's, the owner's included; only a stack that holds the cluster and its pipeline identity together (the
    single layout) widens it by the owner's two roles' exact ARNs."""
    if not account.ci_identity:
        return
    for i, cluster in enumerate(settings.clusters):
        if cluster.network and cluster.network.shared_vpc:
            yield (
                f"{config_key('clusters')}[{i}].network.sharedVpc: the account stack's pipeline boundary "
                f"({config_key('ciIdentity')} there) denies its roles, the Installer included, assuming the VPC "
                "owner's roles; keep a shared-VPC cluster with its pipeline identity in one stack (layout 'single')"
            )


def _agreed(
    settings: StackSettings, operator_prefix: str, owner: StackSettings, served: SharedVpcClusterSettings
) -> Iterator[tuple[str, object, object]]:
    yield "accountId", settings.account_id, served.account_id
    yield "accountRolePrefix", settings.account_role_prefix, served.account_role_prefix
    yield "operatorRolePrefix", operator_prefix, served.operator_prefix
    yield "iamPath", settings.iam_path, served.iam_path
    yield "partition", settings.partition, owner.partition
    yield "aws:region", settings.region, owner.region
