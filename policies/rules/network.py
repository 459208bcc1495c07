"""Network guardrails: no security group open to the whole internet unless the settings declare that endpoint public."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from foundation.iam import listed
from foundation.tags import PUBLIC_ENDPOINT_PORTS, PUBLIC_ENDPOINT_TAG
from policies.graph import Graph, Resource, Rule
from policies.rules.resource_types import SECURITY_GROUP, SECURITY_GROUP_INGRESS_RULE, SECURITY_GROUP_RULE

WORLD = ("0.0.0.0/0", "::/0")


def security_group_no_world_ingress(graph: Graph, config: Mapping[str, Any]) -> Iterator[tuple[Resource, str]]:
    for rule in graph.of_type(SECURITY_GROUP_INGRESS_RULE):
        cidr = rule.inputs.get("cidrIpv4") or rule.inputs.get("cidrIpv6")
        if cidr not in WORLD:
            continue
        endpoint = (rule.inputs.get("tags") or {}).get(PUBLIC_ENDPOINT_TAG)
        port = PUBLIC_ENDPOINT_PORTS.get(endpoint)
        if port is None or rule.inputs.get("fromPort") != port or rule.inputs.get("toPort") != port:
            yield rule, f"opens port {rule.inputs.get('fromPort')} to {cidr}, which no setting declares public"
    for group in graph.of_type(SECURITY_GROUP):
        for ingress in group.inputs.get("ingress") or []:
            world = [c for c in listed(ingress.get("cidrBlocks")) + listed(ingress.get("ipv6CidrBlocks")) if c in WORLD]
            if world:
                yield group, f"has inline ingress from {world[0]}; inline rules cannot be declared public"
    for rule in graph.of_type(SECURITY_GROUP_RULE):
        world = [
            c for c in listed(rule.inputs.get("cidrBlocks")) + listed(rule.inputs.get("ipv6CidrBlocks")) if c in WORLD
        ]
        if rule.inputs.get("type") == "ingress" and world:
            yield rule, f"opens ingress from {world[0]}; use a described vpc.SecurityGroupIngressRule from settings"


SECURITY_GROUP_NO_WORLD_INGRESS = Rule(
    name="security-group-no-world-ingress",
    description="No security group admits 0.0.0.0/0 or ::/0, except on an endpoint the settings declare public.",
    remediation="List the networks in clusters[].network, or set publicApi / publicIngress on purpose.",
    level="mandatory",
    severity="high",  # a cluster endpoint reachable from the whole internet
    check=security_group_no_world_ingress,
)

RULES = (SECURITY_GROUP_NO_WORLD_INGRESS,)
