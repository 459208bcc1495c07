"""Additional security groups for one cluster in its existing VPC, for `rosa create cluster`'s
`--additional-*-security-group-ids`, and for a private hosted control plane's API endpoint.

Classic clusters get one group per node role: the control plane (the Kubernetes API, 6443), infra (the default
ingress routers, 443) and compute. HCP clusters run their routers on compute nodes and their API in Red Hat's
account, so they get a compute group with ingress (443); a private HCP cluster's API is reached through a VPC
endpoint in this VPC (443), which gets an `api-endpoint` group when the settings list who may reach the API. rosa has
no flag for that group: it is added to the endpoint once the cluster exists (`afterCreateClusterCommands`), as Red
Hat's HCP module does. Each rule names one CIDR from the settings and says why; 0.0.0.0/0 or ::/0 only reach a port
the settings declare public. Egress is explicit: AWS's implicit allow-all is removed by the provider, so only the
egress the settings list exists, on the node groups (an endpoint sends nothing).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_aws as aws

from foundation.catalogue import Topology
from foundation.networks import world_covered, world_of
from foundation.project import type_token
from foundation.settings import NetworkSettings
from foundation.tags import API_PORT, HCP_API_ENDPOINT_PORT, INGRESS_PORT, added_tags

NodeRole = Literal["control-plane", "infra", "compute"]
NODE_ROLES: tuple[NodeRole, ...] = ("control-plane", "infra", "compute")
API_ENDPOINT = "api-endpoint"  # a private HCP cluster's API endpoint: no node role, no rosa flag
GroupRole = NodeRole | Literal["api-endpoint"]


@dataclass(frozen=True)
class Ingress:
    endpoint: Literal["api", "ingress"]
    what: str  # what listens on the port, for the rule's description
    port: int
    cidrs: tuple[str, ...]
    public: bool


@dataclass(frozen=True)
class SecurityGroupsArgs:
    """One cluster's network settings, topology and the names of its groups."""

    cluster: str
    topology: Topology
    network: NetworkSettings
    group_names: Mapping[GroupRole, str]  # foundation.names
    scope: str  # the scope tag's value (the account role prefix)


def ingress_by_group(topology: Topology, network: NetworkSettings) -> dict[GroupRole, tuple[Ingress, ...]]:
    """The cluster's groups (node roles, and a private HCP's API endpoint) and the ingress each admits."""
    ingress = Ingress(
        "ingress", "ingress routers (HTTPS)", INGRESS_PORT, network.ingress_allowed_cidrs, network.public_ingress
    )
    if topology == "hcp":
        groups: dict[GroupRole, tuple[Ingress, ...]] = {"compute": (ingress,)}
        if network.private and network.api_allowed_cidrs:
            what = "private API endpoint of the hosted control plane"
            groups[API_ENDPOINT] = (Ingress("api", what, HCP_API_ENDPOINT_PORT, network.api_allowed_cidrs, False),)
        return groups
    api = Ingress("api", "Kubernetes API", API_PORT, network.api_allowed_cidrs, network.public_api)
    return {"control-plane": (api,), "infra": (ingress,), "compute": ()}


class SecurityGroups(pulumi.ComponentResource):
    """Outputs: group_ids (node role or `api-endpoint` -> security group id)."""

    group_ids: dict[GroupRole, pulumi.Output[str]]

    def __init__(self, name: str, args: SecurityGroupsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(type_token("network", "SecurityGroups"), name, None, opts)
        network = args.network
        self.group_ids = {}
        for role, ingresses in ingress_by_group(args.topology, network).items():
            group_name = args.group_names[role]
            what = f"{role} nodes" if role in NODE_ROLES else "its private API endpoint"
            group = aws.ec2.SecurityGroup(
                f"{name}-{role}",
                name=group_name,
                description=f"ROSA cluster {args.cluster}: additional rules for {what}",
                vpc_id=network.vpc_id,
                revoke_rules_on_delete=True,
                tags=added_tags(name=group_name, scope=args.scope),
                opts=pulumi.ResourceOptions(parent=self),
            )
            for ingress in ingresses:
                # On a public endpoint, the rules that open it to the world (one, or pieces of it) say so.
                world = world_covered(ingress.cidrs) if ingress.public else []
                for cidr in ingress.cidrs:
                    public = ingress.endpoint if world_of(cidr) in world else None
                    _rule(
                        aws.vpc.SecurityGroupIngressRule,
                        f"{name}-{role}-{ingress.port}-from-{_slug(cidr)}",
                        group,
                        cidr,
                        f"{ingress.what} ({ingress.port}/tcp) from {cidr}",
                        port=ingress.port,
                        tags=added_tags(public_endpoint=public),
                    )
            for cidr in network.egress_cidrs if role in NODE_ROLES else ():
                _rule(
                    aws.vpc.SecurityGroupEgressRule,
                    f"{name}-{role}-egress-to-{_slug(cidr)}",
                    group,
                    cidr,
                    f"all traffic from {role} nodes to {cidr} (registries, AWS APIs, NAT or proxy)",
                    port=None,
                    tags={},
                )
            self.group_ids[role] = group.id
        self.register_outputs({"group_ids": self.group_ids})


def _rule(
    rule_type: type[aws.vpc.SecurityGroupIngressRule] | type[aws.vpc.SecurityGroupEgressRule],
    logical: str,
    group: aws.ec2.SecurityGroup,
    cidr: str,
    description: str,
    *,
    port: int | None,
    tags: dict[str, str],
) -> None:
    """One rule for one CIDR: TCP on `port`, or all traffic without one."""
    ports = {"ip_protocol": "tcp", "from_port": port, "to_port": port} if port else {"ip_protocol": "-1"}
    rule_type(
        logical,
        security_group_id=group.id,
        description=description,
        tags=tags or None,
        **ports,
        **_cidr_arg(cidr),
        opts=pulumi.ResourceOptions(parent=group),
    )


def _cidr_arg(cidr: str) -> dict[str, str]:
    return {"cidr_ipv6" if ipaddress.ip_network(cidr).version == 6 else "cidr_ipv4": cidr}


def _slug(cidr: str) -> str:
    """A CIDR in a logical name: stable whatever the order of the settings list, free of '/' and ':'."""
    return cidr.replace("/", "_").replace(":", ".")
