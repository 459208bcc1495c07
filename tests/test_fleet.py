"""The fleet example and the benchmark's measures: the committed fleet stack is its generator's output, renders
within its quotas, and the dependency depth the benchmark reports is the longest chain of waits."""

from __future__ import annotations

from benchmarks.fleet_stack import FLEET_FILE, render_file
from render.runtime import Registered, Render, render_stack


def test_the_fleet_stack_is_its_generators_output():
    assert FLEET_FILE.read_text() == render_file(), "run `python -m benchmarks.fleet_stack`"


def test_the_fleet_renders_100_clusters_of_both_topologies():
    render = render_stack("fleet")
    clusters = render.outputs["clusters"]
    assert len(clusters) == 100
    assert {c["topology"] for c in clusters.values()} == {"hcp", "classic"}
    assert sum(c["oidcPrivateKeySecretArn"] is not None for c in clusters.values()) == 10  # self-hosted issuers
    assert render.outputs["ciIdentity"]["deployRoleArn"].endswith(":role/rosa/fleet/FleetOpenShift-github-deploy-fleet")


def _resource(name: str, type_: str = "aws:iam/role:Role", parent: str | None = None, waits: tuple[str, ...] = ()):
    return Registered(type_, name, None, {}, {}, f"urn:{name}", parent and f"urn:{parent}", waits_for=waits)


def test_depth_is_the_longest_chain_of_cloud_resources_through_components():
    render = Render(
        [
            _resource("stack", "pulumi:pulumi:Stack"),
            _resource("component", "rosa-foundation:x:Y", parent="stack"),
            _resource("a", parent="component"),
            _resource("b", parent="component", waits=("urn:a",)),
            _resource("c", waits=("urn:component",)),  # waits for a and b: depth 3
            _resource("d"),
        ]
    )
    assert render.depth() == 3


def test_the_example_stacks_depths():
    assert [render_stack(s).depth() for s in ("dev", "staging", "prod")] == [4, 6, 7]
