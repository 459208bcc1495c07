"""Network guardrails: no security group open to the whole internet unless the settings declare that endpoint public.

Judged on the union of a group's ingress, port by port: rules for 0.0.0.0/1 and 128.0.0.0/1 on one port open it to
the world as one rule for 0.0.0.0/0 does.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from foundation.iam import listed
from foundation.networks import world_covered, world_of
from foundation.tags import PUBLIC_ENDPOINT_PORTS, PUBLIC_ENDPOINT_TAG
from policies.graph import Graph, Resource, Rule
from policies.rules.resource_types import SECURITY_GROUP, SECURITY_GROUP_INGRESS_RULE, SECURITY_GROUP_RULE


@dataclass(frozen=True)
class _Ingress:
    """One way into a group: a rule resource, or an entry of a group's inline `ingress`."""

    resource: Resource
    protocol: Any
    from_port: Any
    to_port: Any
    cidrs: tuple[str, ...]
    kind: str  # "rule", "inline" or "legacy rule": what the message says to do

    def admits(self, other: _Ingress) -> bool:
        """Whether this also admits traffic on `other`'s (first) port and protocol."""
        if self.protocol in ("-1", "all") or self.from_port in (None, -1):
            return True
        same = self.protocol == other.protocol or other.protocol in ("-1", "all")
        return same and isinstance(other.from_port, int) and self.from_port <= other.from_port <= self.to_port


def security_group_no_world_ingress(graph: Graph, config: Mapping[str, Any]) -> Iterator[tuple[Resource, str]]:
    for ingress in _by_group(graph).values():
        undeclared = [i for i in ingress if not _declared_public(i)]
        for entry in undeclared:
            port = "every port" if entry.from_port in (None, -1) else f"port {entry.from_port}"
            if alone := world_covered(entry.cidrs):
                yield entry.resource, _MESSAGES[entry.kind].format(port=port, world=alone[0])
                continue
            together = [i for i in undeclared if i.admits(entry)]
            whole = {w for i in together for w in world_covered(i.cidrs)}  # each such entry is a finding of its own
            mine = {world_of(c) for c in entry.cidrs}
            pieces = [w for w in world_covered(c for i in together for c in i.cidrs) if w in mine and w not in whole]
            if pieces:
                cidrs = ", ".join(sorted({c for i in together for c in i.cidrs}))
                world = f"{pieces[0]} with the group's other ingress there ({cidrs})"
                yield entry.resource, _MESSAGES[entry.kind].format(port=port, world=world)


_MESSAGES = {
    "rule": "opens {port} to {world}, which no setting declares public",
    "inline": "has inline ingress on {port} from {world}; inline rules cannot be declared public",
    "legacy rule": "opens ingress on {port} from {world}; use a described vpc.SecurityGroupIngressRule from settings",
}


def _by_group(graph: Graph) -> dict[str, list[_Ingress]]:
    """Every way into each security group, by the group's URN (or, for a rule naming a group the graph does not
    hold, its own)."""
    groups: dict[str, list[_Ingress]] = {}
    for group in graph.of_type(SECURITY_GROUP):
        for entry in group.inputs.get("ingress") or []:
            cidrs = (*listed(entry.get("cidrBlocks")), *listed(entry.get("ipv6CidrBlocks")))
            ports = (entry.get("protocol"), entry.get("fromPort"), entry.get("toPort"))
            groups.setdefault(group.urn, []).append(_Ingress(group, *ports, cidrs, "inline"))
    for rule in graph.of_type(SECURITY_GROUP_INGRESS_RULE):
        cidrs = tuple(c for c in (rule.inputs.get("cidrIpv4"), rule.inputs.get("cidrIpv6")) if c)
        ports = (rule.inputs.get("ipProtocol"), rule.inputs.get("fromPort"), rule.inputs.get("toPort"))
        groups.setdefault(_group_of(rule), []).append(_Ingress(rule, *ports, cidrs, "rule"))
    for rule in graph.of_type(SECURITY_GROUP_RULE):
        if rule.inputs.get("type") == "ingress":
            cidrs = (*listed(rule.inputs.get("cidrBlocks")), *listed(rule.inputs.get("ipv6CidrBlocks")))
            ports = (rule.inputs.get("protocol"), rule.inputs.get("fromPort"), rule.inputs.get("toPort"))
            groups.setdefault(_group_of(rule), []).append(_Ingress(rule, *ports, cidrs, "legacy rule"))
    return groups


def _group_of(rule: Resource) -> str:
    return next(iter(rule.dependencies.get("securityGroupId", ())), rule.urn)


def _declared_public(ingress: _Ingress) -> bool:
    """A rule the settings made world-open on purpose: tagged with its endpoint, on that endpoint's port."""
    if ingress.kind != "rule":
        return False
    port = PUBLIC_ENDPOINT_PORTS.get((ingress.resource.inputs.get("tags") or {}).get(PUBLIC_ENDPOINT_TAG))
    return port is not None and ingress.from_port == port and ingress.to_port == port


SECURITY_GROUP_NO_WORLD_INGRESS = Rule(
    name="security-group-no-world-ingress",
    description=(
        "No security group admits 0.0.0.0/0 or ::/0, alone or as the union of its rules on a port, except on an "
        "endpoint the settings declare public."
    ),
    remediation="List the networks in clusters[].network, or set publicApi / publicIngress on purpose.",
    level="mandatory",
    severity="high",  # a cluster endpoint reachable from the whole internet
    check=security_group_no_world_ingress,
)

RULES = (SECURITY_GROUP_NO_WORLD_INGRESS,)
