"""The split layout: an account stack and one stack per cluster reading its outputs through a StackReference.
Same components, same resources: a cluster stack registers exactly what the single stack registers for that cluster."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from foundation.settings.loading import SettingsError, check_account_stack, settings_from_config
from foundation.stack_files import stack_config, stack_file
from render.runtime import run_main
from tests.conftest import cluster, config, example

ACCOUNT = "acme-platform/rosa-foundation/split-account"


def subtree(render, cluster_name: str) -> dict[tuple[str, str], dict]:
    """Every resource under the cluster's ClusterFoundation: (type, name) -> inputs."""
    parents = render.parents()
    return {
        (r.type, r.name): r.inputs
        for r in render.resources
        if any(a.name == cluster_name and a.type.endswith(":ClusterFoundation") for a in render.ancestry(r, parents))
    }


def test_the_account_stack_holds_only_account_wide_resources():
    render = example("split-account")
    assert not render.of_type("rosa-foundation:cluster:ClusterFoundation")
    assert set(render.outputs["accountRoleArns"]) == {"hcp", "classic"}
    assert len(render.outputs["classicOperatorPolicyArns"]) == 6


@pytest.mark.parametrize(
    "stack", ["split-hcp", "split-classic", "fleet-split-000", "fleet-split-007", "fleet-split-009"]
)
def test_a_cluster_stack_registers_exactly_what_the_single_stack_registers_for_that_cluster(stack):
    split = example(stack)
    cluster_config = stack_config(stack_file(stack))
    single_config = {
        k: v for k, v in cluster_config.items() if k not in ("rosa-foundation:layout", "rosa-foundation:accountStack")
    }
    single = run_main(single_config, stack=stack)
    name = json.loads(cluster_config["rosa-foundation:clusters"])[0]["name"]
    assert subtree(split, name) == subtree(single, name)
    assert len(subtree(split, name)) > 30
    assert not split.of_type("rosa-foundation:iam:AccountRoles")  # read, not created


def test_a_classic_cluster_stack_attaches_the_account_stacks_operator_policies():
    account = example("split-account").outputs["classicOperatorPolicyArns"]
    split = example("split-classic")
    attached = {r.inputs["policyArn"] for r in split.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")}
    assert set(account.values()) <= attached
    args = split.outputs["clusters"]["split-classic"]["rosaCreateClusterArgs"]
    installer = example("split-account").outputs["accountRoleArns"]["classic"]["installer"]
    assert args[args.index("--role-arn") + 1] == installer


def test_a_cluster_stack_whose_account_stack_lacks_its_topology_fails_naming_both():
    hcp_only = {"accountRoleArns": {"hcp": {"installer": "x", "support": "y", "instance-worker": "z"}},
                "classicOperatorPolicyArns": {}}  # fmt: skip
    settings = {
        **stack_config(stack_file("split-classic")),  # agrees with the account stack's file; its outputs do not
        "rosa-foundation:clusters": json.dumps([cluster("c", "classic")]),
    }
    with pytest.raises(Exception, match=f"account stack '{ACCOUNT}' has no accountRoleArns classic/installer"):
        run_main(settings, stack="c", stack_outputs={ACCOUNT: hcp_only})


def _account_stack(tmp_path, **changes) -> Path:
    """A copy of the split-account stack file with `changes` to its settings, in a stacks folder of its own."""
    document = yaml.safe_load(stack_file("split-account").read_text())
    for key, value in changes.items():
        document["config"][f"rosa-foundation:{key}"] = value
    (tmp_path / "Pulumi.split-account.yaml").write_text(yaml.safe_dump(document))
    return tmp_path


@pytest.mark.parametrize(
    ("stack", "changes", "expected"),
    [
        ("split-hcp", {"accountId": "666666666666"},
         "rosa-foundation:accountId = '555555555555': the account stack has '666666666666'"),
        ("split-hcp", {"iamPath": "/other/"},
         "rosa-foundation:iamPath = '/rosa/split/': the account stack has '/other/'"),
        ("split-hcp", {"accountRolePrefix": "Other"},
         "rosa-foundation:accountRolePrefix = 'SplitOpenShift': the account stack has 'Other'"),
        ("split-hcp", {"accountRoleTopologies": ["classic"]},
         "clusters[0].topology = 'hcp': the account stack has no hcp account roles"),
        ("split-classic", {"classicPolicyVersion": "4.18"}, "newer than the account stack's classic policies (4.18)"),
        ("split-hcp", {"layout": "cluster", "accountStack": "x", "clusters": [cluster("y")]},
         "is itself a cluster stack"),
        ("split-hcp", {"accountId": "1"},
         "the account stack's settings are invalid (1 problem); fix Pulumi.split-account.yaml"),
    ],
)  # fmt: skip
def test_a_cluster_stack_that_disagrees_with_its_account_stack_is_refused_before_registering(
    tmp_path, stack, changes, expected
):
    settings = settings_from_config(stack_config(stack_file(stack)))
    with pytest.raises(SettingsError) as failure:
        check_account_stack(settings, stack, _account_stack(tmp_path, **changes))
    assert expected in str(failure.value)


def test_a_cluster_stack_naming_itself_or_a_missing_account_stack_is_refused(tmp_path):
    settings = settings_from_config(stack_config(stack_file("split-hcp")))
    with pytest.raises(SettingsError, match="names this stack itself"):
        check_account_stack(settings, "split-account", stack_file("split-account").parent)
    with pytest.raises(SettingsError, match=r"no stack file Pulumi\.split-account\.yaml"):
        check_account_stack(settings, "split-hcp", tmp_path)


def test_the_example_cluster_stacks_agree_with_their_account_stack():
    for stack in ("split-hcp", "split-classic"):
        check_account_stack(settings_from_config(stack_config(stack_file(stack))), stack)


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"layout": "cluster"}, "rosa-foundation:accountStack is missing"),
        ({"layout": "account"}, "rosa-foundation:clusters: an account stack holds no clusters"),
        ({"layout": "account", "clusters": []}, "rosa-foundation:accountRoleTopologies is missing"),
        (
            {"layout": "cluster", "accountStack": ACCOUNT, "backup": {"vault": "shared"}},
            "each cluster keeps its own vault",
        ),
        (
            {
                "layout": "cluster",
                "accountStack": ACCOUNT,
                "ciIdentity": {"owner": "a", "repository": "b", "environment": "c"},
            },
            "the pipeline's identity belongs to the account stack",
        ),
        ({"accountStack": ACCOUNT}, "rosa-foundation:accountStack: only read by layout 'cluster'"),
        ({"layout": "clusters"}, "rosa-foundation:layout = 'clusters': must be 'single', 'account' or 'cluster'"),
    ],
)
def test_bad_layout_settings_are_refused_with_key_and_value(settings, expected):
    with pytest.raises(SettingsError) as failure:
        settings_from_config(config(**settings))
    assert expected in str(failure.value)
