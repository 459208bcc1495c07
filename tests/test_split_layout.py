"""The split layout: an account stack and one stack per cluster reading its outputs through a StackReference.
Same components, same resources: a cluster stack registers exactly what the single stack registers for that cluster."""

from __future__ import annotations

import asyncio
import gc
import json
from pathlib import Path

import pulumi
import pytest
import yaml

from foundation.settings.loading import SettingsError, check_account_stack, settings_from_config
from foundation.stack_files import StackFileError, stack_config, stack_file
from render.runtime import render_stack, run_main
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


def test_a_run_that_fails_while_registering_leaves_no_error_for_asyncio_to_print():
    # Each output the failure reached holds the error; one left unretrieved is printed, with its traceback, as
    # "Future exception was never retrieved" whenever it is collected (70 of them after the last test, before).
    hcp_only = {"accountRoleArns": {"hcp": {}}, "classicOperatorPolicyArns": {}}
    settings = {
        **stack_config(stack_file("split-classic")),
        "rosa-foundation:clusters": json.dumps([cluster("c", "classic")]),
    }
    with pytest.raises(pulumi.RunError):
        run_main(settings, stack="c", stack_outputs={ACCOUNT: hcp_only})
    loop = asyncio.get_event_loop()
    unretrieved = [
        f
        for f in gc.get_objects()
        if isinstance(f, asyncio.Future) and f.get_loop() is loop and f.done() and not f.cancelled()
        and f._log_traceback  # asyncio's own flag: print this error when collected
    ]  # fmt: skip
    assert unretrieved == []


def _account_stack(tmp_path, **changes) -> Path:
    """A copy of the split-account stack file with `changes` to its settings (None drops a key), in a stacks folder of
    its own."""
    document = yaml.safe_load(stack_file("split-account").read_text())
    for key, value in changes.items():
        document["config"][f"rosa-foundation:{key}"] = value
        if value is None:
            del document["config"][f"rosa-foundation:{key}"]
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
        ("split-hcp", {"layout": "cluster", "accountStack": "x", "clusters": [cluster("y")], "ocmRole": None,
                       "userRoles": None},
         "is itself a cluster stack"),
        ("split-hcp", {"trustExternalId": "other-id-123"},
         "rosa-foundation:trustExternalId = null: the account stack has 'other-id-123'"),
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


def test_account_stacks_that_name_each_other_are_refused_not_rendered_in_a_circle(tmp_path):
    _account_stack(
        tmp_path, layout="cluster", accountStack="split-hcp", clusters=[cluster("y")], ocmRole=None, userRoles=None
    )
    (tmp_path / "Pulumi.split-hcp.yaml").write_text(stack_file("split-hcp").read_text())
    with pytest.raises(SettingsError, match="is itself a cluster stack"):
        render_stack("split-hcp", tmp_path)


def test_a_cluster_stack_naming_itself_is_refused_by_its_settings_check(tmp_path):
    text = stack_file("split-hcp").read_text().replace(f"accountStack: {ACCOUNT}", "accountStack: split-hcp")
    (tmp_path / "Pulumi.split-hcp.yaml").write_text(text)
    with pytest.raises(SettingsError, match="accountStack = 'split-hcp': names this stack itself"):
        render_stack("split-hcp", tmp_path)


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
                "ciIdentity": {"owner": "a", "repository": "b", "repositoryId": 1, "environment": "c"},
            },
            "the pipeline's identity belongs to the account stack",
        ),
        ({"accountStack": ACCOUNT}, "rosa-foundation:accountStack: only read by layout 'cluster'"),
        (
            {"layout": "clusters"},
            "rosa-foundation:layout = 'clusters': must be 'single', 'account', 'cluster' or 'vpc-owner'",
        ),
    ],
)
def test_bad_layout_settings_are_refused_with_key_and_value(settings, expected):
    with pytest.raises(SettingsError) as failure:
        settings_from_config(config(**settings))
    assert expected in str(failure.value)


def test_an_unreadable_account_stack_file_is_one_line_naming_it(tmp_path):
    (tmp_path / "Pulumi.split-account.yaml").write_text("config:\n  rosa-foundation:accountId: [1\n")
    settings = settings_from_config(stack_config(stack_file("split-hcp")))
    with pytest.raises(SettingsError, match=r"Pulumi\.split-account\.yaml:3:1: not valid YAML"):
        check_account_stack(settings, "split-hcp", tmp_path)


def test_the_render_checks_a_cluster_stack_against_the_account_stack_it_renders(tmp_path):
    """`python -m render <stack> --stacks <dir>`: the program checks the account stack's file in <dir>, the one the
    render read its outputs from, not stacks/."""
    for stack in ("split-account", "split-hcp"):
        (tmp_path / f"Pulumi.{stack}.yaml").write_text(stack_file(stack).read_text())
    assert "split-hcp" in render_stack("split-hcp", tmp_path).outputs["clusters"]
    _account_stack(tmp_path, iamPath="/elsewhere/")
    with pytest.raises(SettingsError, match="the account stack has '/elsewhere/'"):
        render_stack("split-hcp", tmp_path)


def test_a_cluster_stack_whose_account_stack_is_invalid_names_the_account_stacks_file(tmp_path):
    for stack in ("split-account", "split-hcp"):
        (tmp_path / f"Pulumi.{stack}.yaml").write_text(stack_file(stack).read_text())
    _account_stack(tmp_path, accountId="1")
    with pytest.raises(StackFileError, match=r"its account stack Pulumi\.split-account\.yaml: Invalid stack settings"):
        render_stack("split-hcp", tmp_path)
