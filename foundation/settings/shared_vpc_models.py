"""The stack file's blocks of HCP shared VPC: a cluster's owner stack (`clusters[].network.sharedVpc`) and what a VPC
owner stack shares (`sharedVpc`, layout `vpc-owner`). Their rules are `foundation.settings.shared_vpc_rules`'."""

from __future__ import annotations

from pydantic import Field

from foundation.settings.base import SettingsModel
from foundation.settings.types import (
    AccountId,
    BaseDomain,
    ClusterName,
    IamPath,
    RolePrefix,
    StackReferenceName,
    SubnetId,
    VpcId,
)


class SharedVpcSettings(SettingsModel):
    """A hosted control plane installed in another account's VPC (HCP shared VPC): the VPC owner's stack (layout
    `vpc-owner`), whose roles, hosted zones and subnet share serve this cluster."""

    owner_stack: StackReferenceName


class SharedVpcClusterSettings(SettingsModel):
    """One cluster a VPC owner serves: the account it runs in, the names of the roles rosa uses there (its account and
    operator role prefixes and IAM path, as its own stack sets them), its reserved base domain and its subnets."""

    name: ClusterName
    account_id: AccountId
    account_role_prefix: RolePrefix = "ManagedOpenShift"
    operator_role_prefix: RolePrefix | None = None  # default: the cluster name, as the cluster's stack defaults it
    iam_path: IamPath = "/"
    base_domain: BaseDomain
    subnet_ids: tuple[SubnetId, ...] = Field(min_length=1)

    @property
    def operator_prefix(self) -> str:
        return self.operator_role_prefix or self.name


class SharedVpcOwnerSettings(SettingsModel):
    """What a VPC owner stack shares (layout `vpc-owner`): its VPC, and per cluster the Route53 and VPC-endpoint roles
    trusted by that cluster's exact roles, the private hosted zones, and its subnets through AWS RAM."""

    vpc_id: VpcId
    # AWS RAM shares outside the owner's AWS Organization only with this set (and then the cluster account accepts the
    # invitation); within one organisation with RAM sharing enabled, leave it false.
    allow_external_principals: bool = False
    clusters: tuple[SharedVpcClusterSettings, ...] = Field(min_length=1)
