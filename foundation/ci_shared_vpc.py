"""What the pipeline of a VPC owner stack (layout `vpc-owner`) may do besides its roles: create and tag the served
clusters' private hosted zones, and share their subnets through AWS RAM with the clusters' accounts only, never
outside the AWS Organization unless the settings allow it (foundation/ci_permissions.py takes these statements).

Route53 zone ids are made by AWS at creation and Route53 authorises by no tag, so zones are scoped to the account's
hosted zones (`hostedzone/*`); deleting one is the administrator's (the zones are protected: a cluster's DNS). What
ties a zone to a VPC (creating a private zone, associating or disassociating a VPC) names the shared VPC only
(`route53:VPCs`, `VPCId=<vpc>,VPCRegion=<region>` as Route 53's "Using IAM policy conditions for fine-grained access
control" normalises it): a network account holds other private zones and VPCs, whose DNS the pipeline must not
detach, redirect or shadow. RAM shares are scoped by their names, the principals they admit and the subnets they share
(its condition keys)."""

from __future__ import annotations

from collections.abc import Iterator

from foundation import iam, naming, shared_vpc
from foundation.settings.models import StackSettings

ZONE_ACTIONS = ("route53:GetHostedZone", "route53:ListTagsForResource", "route53:ChangeTagsForResource",
                "route53:UpdateHostedZoneComment")  # fmt: skip
# Only with the shared VPC named (route53:VPCs).
ZONE_VPC_ACTIONS = ("route53:AssociateVPCWithHostedZone", "route53:DisassociateVPCFromHostedZone")
# A private zone's VPC is read with ec2:DescribeVpcs, which names no VPC to scope it by.
VPC_READS = ("ec2:DescribeVpcs",)
SHARE_READS = ("ram:GetResourceShares", "ram:GetResourceShareAssociations", "ram:ListResourceSharePermissions")
ASSOCIATIONS = ("ram:AssociateResourceShare", "ram:DisassociateResourceShare")


def shared_vpc_statements(settings: StackSettings) -> Iterator[iam.Statement]:
    """The statements of a VPC owner stack's deploy role for its zones and shares; none for any other stack."""
    if settings.shared_vpc is None:
        return
    served = settings.shared_vpc.clusters
    partition, region, account = settings.partition, settings.region, settings.account_id
    shares = naming.arn(partition, "ram", "resource-share/*", account=account, region=region)
    subnets = tuple(
        naming.arn(partition, "ec2", f"subnet/{subnet}", account=account, region=region)
        for cluster in served
        for subnet in cluster.subnet_ids
    )
    external = iam.Condition(
        "Bool",
        "ram:RequestedAllowsExternalPrincipals",
        ("true" if settings.shared_vpc.allow_external_principals else "false",),
    )
    named = iam.Condition(
        "StringEquals", "ram:ResourceShareName", tuple(shared_vpc.resource_share(c.name) for c in served)
    )
    admitted = (
        iam.Condition("StringEqualsIfExists", "ram:Principal", tuple(sorted({c.account_id for c in served}))),
        iam.Condition("ArnEqualsIfExists", "ram:ResourceArn", subnets),
    )
    zones = naming.arn(partition, "route53", "hostedzone/*")
    # Every VPC the request names is the shared one, and it names one (ForAllValues alone passes a request naming
    # none: a public zone).
    the_vpc = (
        iam.Condition("ForAllValues:StringEquals", "route53:VPCs", (route53_vpc(settings.shared_vpc.vpc_id, region),)),
        iam.Condition("Null", "route53:VPCs", ("false",)),
    )
    yield iam.Statement("Allow", VPC_READS, resources=("*",), sid="ReadVpcs")
    # A zone has no ARN before it exists.
    yield iam.Statement(
        "Allow", ("route53:CreateHostedZone",), resources=("*",), conditions=the_vpc, sid="CreateZonesInTheSharedVpc"
    )
    yield iam.Statement("Allow", ZONE_VPC_ACTIONS, resources=(zones,), conditions=the_vpc, sid="ZonesInTheSharedVpc")
    yield iam.Statement("Allow", ZONE_ACTIONS, resources=(zones,), sid="SharedVpcZones")
    yield iam.Statement(
        "Allow", ("route53:GetChange",), resources=(naming.arn(partition, "route53", "change/*"),), sid="ZoneChanges"
    )
    yield iam.Statement("Allow", SHARE_READS, resources=("*",), sid="ReadSubnetShares")
    # A share has no ARN before it exists either: created only as the settings allow, admitting only what they list.
    yield iam.Statement(
        "Allow", ("ram:CreateResourceShare",), resources=("*",), conditions=(external, *admitted), sid="CreateShares"
    )
    yield iam.Statement(
        "Allow", ("ram:UpdateResourceShare",), resources=(shares,), conditions=(named, external), sid="UpdateShares"
    )
    yield iam.Statement(
        "Allow", ("ram:DeleteResourceShare",), resources=(shares,), conditions=(named,), sid="RetireShares"
    )
    yield iam.Statement("Allow", ("ram:TagResource", "ram:UntagResource"), resources=(shares,), sid="TagShares")
    yield iam.Statement(
        "Allow", ASSOCIATIONS, resources=(shares,), conditions=(named, *admitted), sid="ShareSubnetsWithClusterAccounts"
    )


def route53_vpc(vpc_id: str, region: str) -> str:
    """A VPC as Route 53's `route53:VPCs` condition key holds it: `VPCId=<vpc id>,VPCRegion=<region>`, lower case."""
    return f"VPCId={vpc_id.lower()},VPCRegion={region.lower()}"
