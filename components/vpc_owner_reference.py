"""A VPC owner stack's shares as a cluster stack sees them, through a StackReference (HCP shared VPC).

The cluster stack derives the owner's role ARNs from the owner's stack file (foundation/shared_vpc.py), so it can grant
its roles the assume-role permissions before the owner exists; the owner can only be applied after them (its roles'
trust names these roles, which IAM requires to exist). What only the owner's apply knows, the hosted zones' ids, comes
from here: None until the owner stack has been applied (its outputs are empty), and an update fails, naming both
stacks, where the owner's outputs disagree with what this stack derived.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from components.shared_vpc_access import SharedVpcOwner
from foundation import outputs, shared_vpc
from foundation.outputs import SharedVpcClusterOutputs
from foundation.settings import ClusterSettings, StackSettings


class VpcOwnerReference:
    """The shares of VPC owner stack `owner_stack` (`<stack>`, `<project>/<stack>` or `<org>/<project>/<stack>`),
    whose settings (read from its stack file) are `owner`."""

    def __init__(self, owner_stack: str, owner: StackSettings, opts: pulumi.ResourceOptions | None = None):
        self.owner_stack, self.owner = owner_stack, owner
        name = f"vpc-owner-{owner_stack.split('/')[-1]}"
        self._shares = pulumi.StackReference(name, stack_name=owner_stack, opts=opts).get_output(outputs.SHARED_VPC)

    def share(self, cluster: str, expected: Mapping[str, Any]) -> pulumi.Output[SharedVpcClusterOutputs | None]:
        """Cluster `cluster`'s share; None while the owner stack has no outputs. `expected`: the keys this stack
        derived for it (`accountId`, `route53RoleArn`, `vpcEndpointRoleArn`, `trustedRoleArns`, `baseDomain`)."""
        return self._shares.apply(lambda shares: _checked(shares, cluster, expected, self.owner_stack))


def shared_vpc_owner(
    settings: StackSettings, cluster: ClusterSettings, references: Mapping[str, VpcOwnerReference]
) -> SharedVpcOwner | None:
    """What `cluster` uses of its VPC owner (`network.sharedVpc`), None for a cluster in a VPC of its own account: the
    owner's two roles' exact ARNs, derived from the owner's settings, and its share, checked against them."""
    shared = cluster.network.shared_vpc if cluster.network else None
    if shared is None:
        return None
    reference = references[shared.owner_stack]
    owner = reference.owner
    assert owner.shared_vpc is not None  # settings.loading.load_vpc_owners checked it
    served = next(c for c in owner.shared_vpc.clusters if c.name == cluster.name)
    role_arns = shared_vpc.owner_role_arns(settings, {shared.owner_stack: owner})[cluster.name]
    trusted = shared_vpc.trusted_roles(owner.partition, served)
    expected = {
        "accountId": settings.account_id,
        "route53RoleArn": role_arns["route53"],
        "vpcEndpointRoleArn": role_arns["vpc-endpoint"],
        "trustedRoleArns": {kind: list(arns) for kind, arns in trusted.items()},
        "baseDomain": served.base_domain,
    }
    return SharedVpcOwner(shared.owner_stack, role_arns, served.base_domain, reference.share(cluster.name, expected))


def _checked(
    shares: Any, cluster: str, expected: Mapping[str, Any], owner_stack: str
) -> SharedVpcClusterOutputs | None:
    if not shares:
        return None
    share = (shares.get("clusters") or {}).get(cluster) if isinstance(shares, dict) else None
    if share is None:
        raise pulumi.RunError(
            f"VPC owner stack {owner_stack!r} shares nothing with cluster {cluster!r}: add the cluster to its "
            "sharedVpc.clusters and update it first"
        )
    differing = [key for key, value in expected.items() if share.get(key) != value]
    if differing:
        shown = "; ".join(f"{key}: the owner has {share.get(key)!r}, this stack {expected[key]!r}" for key in differing)
        raise pulumi.RunError(
            f"VPC owner stack {owner_stack!r} disagrees with this stack on cluster {cluster!r} ({shown}); update the "
            "owner stack from the stack file this stack reads"
        )
    return share
