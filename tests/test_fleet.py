"""The fleet examples and the benchmark's measures: the committed fleet stacks are their generator's output, render
within their quotas, the 300-cluster split fleet is one every cluster stack of which its account stack admits, and
the dependency depth the benchmark and the README report is the longest chain of waits."""

from __future__ import annotations

import ipaddress
import json
import re

import pytest

from benchmarks.fleet_stack import (
    FLEET_FILE,
    SPLIT_ACCOUNT,
    SPLIT_CLUSTERS,
    SPLIT_SAMPLE,
    render_file,
    split_cluster_stack,
    split_files,
    write_split,
)
from benchmarks.render_benchmark import floor
from foundation.settings.loading import check_account_stack, settings_from_config
from foundation.stack_files import STACKS_DIR, stack_config, stack_file
from render.runtime import PROJECT_ROOT, Registered, Render, mock_account, run_program
from tests.conftest import example

EXAMPLES = sorted(p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in STACKS_DIR.glob("Pulumi.*.yaml"))


def test_the_fleet_stacks_are_their_generators_output():
    assert FLEET_FILE.read_text() == render_file(), "run `python -m benchmarks.fleet_stack`"
    for name, text in split_files(SPLIT_CLUSTERS, SPLIT_SAMPLE).items():
        assert (STACKS_DIR / name).read_text() == text, f"{name}: run `python -m benchmarks.fleet_stack`"


def test_the_split_fleet_is_300_cluster_stacks_its_account_stack_admits(tmp_path):
    """Every generated cluster stack (not only the committed sample) passes the settings and agrees with the account
    stack in stacks/, with its own cluster, vault and networks."""
    write_split(SPLIT_CLUSTERS, tmp_path)
    assert (tmp_path / f"Pulumi.{SPLIT_ACCOUNT}.yaml").read_text() == stack_file(SPLIT_ACCOUNT).read_text()
    names, networks = set(), set()
    for index in range(SPLIT_CLUSTERS):
        stack = split_cluster_stack(index)
        settings = settings_from_config(stack_config(stack_file(stack, tmp_path)))
        check_account_stack(settings, stack)
        (cluster,) = settings.clusters
        names.add(cluster.name)
        networks.add(ipaddress.ip_network(cluster.network.ingress_allowed_cidrs[0]))
    assert len(names) == len(networks) == SPLIT_CLUSTERS
    assert all(a == b or not a.overlaps(b) for a in networks for b in networks)


def test_the_fleet_renders_100_clusters_of_both_topologies():
    render = example("fleet")
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


def test_every_example_applies_in_at_most_seven_sequential_steps_and_no_vault_waits_for_a_cluster():
    """The longest chain is a cluster's issuer, provider, operator role, key and alias (a CloudFront issuer adds its
    access control and distribution); a vault's own chain (bucket, versioning, object lock, policy) may tie with it,
    but the shared vault, which once waited for every cluster's backup role, waits for no cluster's resource."""
    depths = {stack: example(stack).critical_path() for stack in EXAMPLES}
    assert max(len(path) for path in depths.values()) <= 7, {s: [r.name for r in p] for s, p in depths.items()}
    for path in depths.values():
        if any("backup-vault" in r.name for r in path):
            assert all("backup-vault" in r.name for r in path), [r.name for r in path]


def test_the_readme_reports_every_examples_depth_and_critical_path():
    readme = (PROJECT_ROOT / "README.md").read_text()
    rows = dict(re.findall(r"^\| `([\w-]+)` \| [\d,]+ \| (\d+ \| .+) \|$", readme, re.MULTILINE))
    expected = {}
    for stack in EXAMPLES:
        render = example(stack)
        path = render.critical_path()
        expected[stack] = f"{len(path)} | " + " → ".join(r.name for r in path)
        assert f"| `{stack}` | {len(render.resources):,} | {expected[stack]} |" in readme, stack
    assert rows == expected


@pytest.mark.parametrize("stack", [split_cluster_stack(i) for i in SPLIT_SAMPLE])
def test_a_sampled_split_fleet_stack_holds_one_cluster_and_reads_the_account_stacks_roles(stack):
    render = example(stack)
    (name,) = render.outputs["clusters"]
    account = example(SPLIT_ACCOUNT).outputs["accountRoleArns"]
    topology = render.outputs["clusters"][name]["topology"]
    assert render.outputs["clusters"][name]["accountRoleArns"] == account[topology]
    assert json.loads(stack_config(stack_file(stack))["rosa-foundation:clusters"])[0]["name"] == name


@pytest.mark.parametrize("stack", ["prod", "split-classic"])
def test_the_benchmarks_same_graph_floor_registers_the_programs_graph_without_the_program(stack):
    """The floor the render is held to: the same resources, components, parents, provider, options, dependencies and
    waits, with none of the program's settings, logic or outputs."""
    render = example(stack)
    config = stack_config(stack_file(stack))
    account = mock_account(config, {config.get("rosa-foundation:accountStack", ""): {}})
    replayed = run_program(floor("same-graph", render), config, stack=stack, account=account)

    def graph(of: Render) -> set[tuple]:
        return {
            (r.type, r.name, r.parent, r.provider_urn, r.options["protect"], r.options["retainOnDelete"],
             tuple(sorted(r.dependencies)), len(r.waits_for))
            for r in of.resources
            if r.type != "pulumi:pulumi:Stack"
        }  # fmt: skip

    assert graph(replayed) == graph(render)
    assert replayed.outputs == {}
