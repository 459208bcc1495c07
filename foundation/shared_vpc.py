"""HCP shared VPC as names and documents: a hosted control plane in one account (the cluster's) whose subnets, private
hosted zones and two roles are another's (the VPC owner's). Both stacks derive every name here, from the settings
alone, so neither has to be applied before the other can name what it grants or trusts (sources in
data/SOURCES.md, "HCP shared VPC").

The owner's Route53 and VPC-endpoint roles trust the cluster account's exact role ARNs (never its root): IAM turns a
role ARN principal into that role's unique id when the trust is saved, and refuses one for a role that does not exist
yet, so the cluster's roles come first (README, "HCP shared VPC", the order of applies).
"""

from __future__ import annotations

from collections.abc import Mapping

from foundation import iam, naming
from foundation.catalogue import SHARED_VPC_ROLES, SharedVpcRole, load_catalogue
from foundation.naming import IamName
from foundation.settings.models import StackSettings
from foundation.settings.shared_vpc_models import SharedVpcClusterSettings


def role(cluster_name: str, kind: SharedVpcRole) -> IamName:
    """The VPC owner's `<cluster>-shared-route53-role` / `<cluster>-shared-vpce-role`, as Red Hat's
    shared-vpc-resources module names them (its example's name prefix is the cluster name)."""
    suffix = load_catalogue().shared_vpc.role_suffixes[kind]
    return IamName("role", (cluster_name, suffix), f"shared VPC {kind} role of cluster {cluster_name!r}")


def role_arn(partition: str, owner_account: str, owner_path: str, cluster_name: str, kind: SharedVpcRole) -> str:
    """The ARN of `role` in the VPC owner's account, on its stack's IAM path."""
    return naming.iam_arn(partition, owner_account, "role", owner_path, role(cluster_name, kind).name)


def owner_role_arns(
    settings: StackSettings, owners: Mapping[str, StackSettings]
) -> dict[str, dict[SharedVpcRole, str]]:
    """The exact ARNs of the owner's two roles for each shared-VPC cluster of `settings`, by cluster name, from the
    owner stacks' settings (`owners`, by reference as the clusters name them)."""
    arns = {}
    for cluster in settings.clusters:
        shared = cluster.network.shared_vpc if cluster.network else None
        if shared is None:
            continue
        owner = owners[shared.owner_stack]
        arns[cluster.name] = {
            kind: role_arn(owner.partition, owner.account_id, owner.iam_path, cluster.name, kind)
            for kind in SHARED_VPC_ROLES
        }
    return arns


def trusted_roles(partition: str, served: SharedVpcClusterSettings) -> dict[SharedVpcRole, tuple[str, ...]]:
    """The exact ARNs of the cluster account's roles each shared role trusts, in the order Red Hat's module lists them:
    the HCP Installer (`<account prefix>-HCP-ROSA-Installer-Role`) and the ingress and control-plane operator roles
    (`<operator prefix>-<namespace>-<operator>`), on the cluster stack's IAM path, cut to 64 characters as rosa cuts
    them."""
    catalogue = load_catalogue()
    parts = {
        spec.slug: naming.account_role_parts(served.account_role_prefix, spec.role)
        for spec in catalogue.hcp.account_roles
    }
    parts |= {
        spec.slug: naming.operator_role_parts(served.operator_prefix, spec.namespace, spec.operator)
        for spec in catalogue.hcp.operator_roles
    }
    return {
        kind: tuple(
            naming.iam_arn(partition, served.account_id, "role", served.iam_path, naming.iam_name(*parts[slug]))
            for slug in catalogue.shared_vpc.trusted_by[kind]
        )
        for kind in SHARED_VPC_ROLES
    }


def trust(principals: tuple[str, ...]) -> iam.PolicyDocument:
    """A shared role's trust: sts:AssumeRole by exactly these role ARNs, as Red Hat's module writes it."""
    return iam.assume_role_trust(iam.Principal.aws(*principals))


def assume_policy(cluster_name: str, kind: SharedVpcRole) -> IamName:
    """`<shared role name>-assume-role`: the cluster account's policy allowing sts:AssumeRole on one shared role (rosa's
    `AssumeRolePolicyPrefix`), attached to the roles `trusted_roles` names."""
    spec = load_catalogue().shared_vpc
    parts = (*role(cluster_name, kind).parts, spec.assume_role_policy_suffix)
    return IamName("policy", parts, f"cluster {cluster_name!r} shared VPC {kind} assume policy")


def assume_document(shared_role_arn: str) -> iam.PolicyDocument:
    """sts:AssumeRole on exactly one shared role (rosa's `SharedVpcDefaultPolicy`)."""
    return iam.PolicyDocument((iam.Statement("Allow", ("sts:AssumeRole",), resources=(shared_role_arn,)),))


def assumers(kind: SharedVpcRole) -> tuple[str, ...]:
    """Which cluster roles assume `kind`: `installer` (an account role slug) and operator role slugs."""
    return load_catalogue().shared_vpc.trusted_by[kind]


def zones(cluster_name: str, base_domain: str) -> dict[str, str]:
    """The private hosted zones of a shared-VPC cluster, by purpose: `ingress` (`rosa.<cluster>.<base domain>`,
    rosa's --ingress-private-hosted-zone-id) and `internal` (`<cluster>.hypershift.local`,
    --hcp-internal-communication-hosted-zone-id)."""
    spec = load_catalogue().shared_vpc
    return {
        "ingress": f"{spec.ingress_zone_prefix}.{cluster_name}.{base_domain}",
        "internal": f"{cluster_name}.{spec.internal_zone_domain}",
    }


def resource_share(cluster_name: str) -> str:
    """`<cluster>-shared-vpc-resource-share`: the AWS RAM share of a cluster's subnets."""
    return f"{cluster_name}-{load_catalogue().shared_vpc.resource_share_suffix}"


def managed_policy_arn(partition: str, kind: SharedVpcRole) -> str:
    """`arn:<partition>:iam::aws:policy/ROSASharedVPC...`: AWS's managed policy of a shared role, at the policy root
    (unlike the HCP account and operator roles' `service-role/` ones)."""
    return naming.arn(partition, "iam", f"policy/{load_catalogue().shared_vpc.managed_policies[kind]}", account="aws")
