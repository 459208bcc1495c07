"""What a VPC owner shares with one cluster of another account (HCP shared VPC), as Red Hat's shared-vpc-resources
module makes it (terraform-rhcs-rosa-hcp `modules/shared-vpc-resources`): the Route53 and VPC-endpoint roles, trusted
by exactly the cluster account's Installer, ingress and control-plane operator roles; the private hosted zones rosa
takes (`rosa.<cluster>.<base domain>`, `<cluster>.hypershift.local`) in the VPC; and the cluster's subnets, shared
with its account through AWS RAM.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.role import RoleDefaults, attach_policy, stack_role
from foundation import naming, shared_vpc
from foundation.catalogue import SHARED_VPC_ROLES
from foundation.outputs import SharedVpcClusterOutputs
from foundation.project import type_token
from foundation.settings.models import StackSettings
from foundation.settings.shared_vpc_models import SharedVpcClusterSettings


@dataclass(frozen=True)
class SharedVpcShareArgs:
    """One served cluster's slice of a VPC owner stack's settings, and where the owner's resources go."""

    served: SharedVpcClusterSettings
    vpc_id: str
    allow_external_principals: bool
    partition: str
    region: str
    owner_account: str
    role_defaults: RoleDefaults
    retain_on_delete: bool  # keep the hosted zones in AWS if the stack is destroyed

    @classmethod
    def of(
        cls, settings: StackSettings, served: SharedVpcClusterSettings, role_defaults: RoleDefaults
    ) -> SharedVpcShareArgs:
        assert settings.shared_vpc is not None  # layout vpc-owner: the settings rules require it
        return cls(
            served=served,
            vpc_id=settings.shared_vpc.vpc_id,
            allow_external_principals=settings.shared_vpc.allow_external_principals,
            partition=settings.partition,
            region=settings.region,
            owner_account=settings.account_id,
            role_defaults=role_defaults,
            retain_on_delete=settings.retain_stateful_on_delete,
        )


class SharedVpcShare(pulumi.ComponentResource):
    """One cluster's share of the owner's VPC.

    Outputs: summary (`SharedVpcClusterOutputs`: the role ARNs, the roles they trust, the zones' ids and names, the
    base domain, the resource share and its subnets), which the cluster's stack reads through a StackReference.
    """

    summary: pulumi.Output[SharedVpcClusterOutputs]

    def __init__(self, name: str, args: SharedVpcShareArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(type_token("network", "SharedVpcShare"), name, None, opts)
        served, child = args.served, pulumi.ResourceOptions(parent=self)
        trusted = shared_vpc.trusted_roles(args.partition, served)
        role_arns = {}
        for kind in SHARED_VPC_ROLES:
            role = stack_role(
                f"{name}-{kind}",
                role_name=shared_vpc.role(served.name, kind).name,
                description=f"ROSA shared VPC {kind} role of cluster {served.name}, account {served.account_id}",
                trust_policy=shared_vpc.trust(trusted[kind]).to_json(),
                defaults=args.role_defaults,
                tags=None,
                parent=self,
            )
            attach_policy(f"{name}-{kind}-policy", role, shared_vpc.managed_policy_arn(args.partition, kind))
            role_arns[kind] = role.arn
        # What the cluster's DNS lives in: losing a zone breaks the cluster's names, so protected like a bucket.
        stateful = pulumi.ResourceOptions(parent=self, protect=True, retain_on_delete=args.retain_on_delete)
        zones = {
            purpose: aws.route53.Zone(
                f"{name}-{purpose}-zone",
                name=zone_name,
                comment=f"ROSA cluster {served.name} ({served.account_id}), {purpose}: shared VPC {args.vpc_id}",
                vpcs=[aws.route53.ZoneVpcArgs(vpc_id=args.vpc_id, vpc_region=args.region)],
                force_destroy=False,
                opts=stateful,
            )
            for purpose, zone_name in shared_vpc.zones(served.name, served.base_domain).items()
        }
        share = aws.ram.ResourceShare(
            f"{name}-subnets",
            name=shared_vpc.resource_share(served.name),
            allow_external_principals=args.allow_external_principals,
            opts=child,
        )
        aws.ram.PrincipalAssociation(
            f"{name}-subnets-account", principal=served.account_id, resource_share_arn=share.arn, opts=child
        )
        for subnet in served.subnet_ids:
            aws.ram.ResourceAssociation(
                f"{name}-subnets-{subnet}",
                resource_arn=naming.arn(
                    args.partition, "ec2", f"subnet/{subnet}", account=args.owner_account, region=args.region
                ),
                resource_share_arn=share.arn,
                opts=child,
            )
        facts = pulumi.Output.all(
            route53=role_arns["route53"],
            endpoint=role_arns["vpc-endpoint"],
            ingress=zones["ingress"].zone_id,
            internal=zones["internal"].zone_id,
            share=share.arn,
        )
        zone_names = shared_vpc.zones(served.name, served.base_domain)
        self.summary = facts.apply(
            lambda values: {
                "accountId": served.account_id,
                "route53RoleArn": values["route53"],
                "vpcEndpointRoleArn": values["endpoint"],
                "trustedRoleArns": {kind: list(arns) for kind, arns in trusted.items()},
                "ingressPrivateHostedZoneId": values["ingress"],
                "ingressPrivateHostedZoneName": zone_names["ingress"],
                "hcpInternalCommunicationHostedZoneId": values["internal"],
                "hcpInternalCommunicationHostedZoneName": zone_names["internal"],
                "baseDomain": served.base_domain,
                "resourceShareArn": values["share"],
                "subnetIds": list(served.subnet_ids),
            }
        )
        self.register_outputs({"summary": self.summary})
