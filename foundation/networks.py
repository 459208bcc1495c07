"""Whether listed networks add up to the whole internet: judged on their union, per IP version, so that
`[0.0.0.0/1, 128.0.0.0/1]` counts as open to the world just as `0.0.0.0/0` does."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

WORLD = ("0.0.0.0/0", "::/0")


def world_of(cidr: object) -> str | None:
    """The whole-internet network of `cidr`'s IP version; None for a value that is no network."""
    network = _network(cidr)
    return WORLD[network.version == 6] if network else None


def world_covered(cidrs: Iterable[object]) -> list[str]:
    """The whole-internet networks (`0.0.0.0/0`, `::/0`) that the union of `cidrs` covers, [] for none; values that
    are no network (not known yet in a preview, or malformed) count for nothing."""
    networks = [n for n in map(_network, cidrs) if n]
    covered = []
    for world in WORLD:
        whole = ipaddress.ip_network(world)
        if whole in ipaddress.collapse_addresses(n for n in networks if n.version == whole.version):
            covered.append(world)
    return covered


def _network(cidr: object) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    if not isinstance(cidr, str):
        return None
    try:
        return ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return None
