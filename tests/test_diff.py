"""The IAM-aware diff on real renders: permissions and principals as tuples, nothing for a reordered document,
protected resources called out, Markdown a reviewer can read."""

from __future__ import annotations

import copy
import json

import pytest

from render import diff
from render.runtime import run_main, stack_config, stack_file


@pytest.fixture(scope="module")
def prod_config() -> dict[str, str]:
    return stack_config(stack_file("prod"))


@pytest.fixture(scope="module")
def prod(prod_config) -> list[dict]:
    return [r.to_json() for r in run_main(prod_config, stack="prod").resources]


def with_cluster(config: dict[str, str], entry: dict) -> dict[str, str]:
    clusters = json.loads(config["rosa-foundation:clusters"])
    return {**config, "rosa-foundation:clusters": json.dumps([*clusters, entry])}


NEW_CLUSTER = {
    "name": "fraud",
    "topology": "hcp",
    "operatorRolePrefix": "prod-fraud",
    "oidc": {"mode": "managed", "configId": "6e4a8c0b2d4f6a8c0e2b4d6f8a0c2e4b"},
    "network": {"subnetIds": ["subnet-0f1a2b3c4d5e6fa01", "subnet-0f1a2b3c4d5e6fb01"]},
}


def by_name(result: diff.StackDiff) -> dict[str, diff.ResourceChange]:
    return {c.name: c for c in result.resources}


def test_an_unchanged_stack_shows_nothing(prod):
    result = diff.diff_renders(prod, copy.deepcopy(prod), "prod", "base")
    assert result.resources == [] and result.protection == []
    assert "No change to any resource or IAM document." in diff.markdown(result)


def test_adding_a_cluster_shows_its_resources_and_permissions_and_the_vault_policies_admitting_its_backup_role(
    prod, prod_config
):
    after = [r.to_json() for r in run_main(with_cluster(prod_config, NEW_CLUSTER), stack="prod").resources]
    result = by_name(diff.diff_renders(prod, after, "prod", "base"))
    added = {name for name, change in result.items() if change.change == "added"}
    provider = f"oidc-{NEW_CLUSTER['oidc']['configId']}-provider"  # the new cluster's config's
    assert "fraud-operator-roles-kube-system-kms-provider" in added and provider in added
    role = result["fraud-operator-roles-kube-system-kms-provider"]
    (trust,) = role.documents
    assert [p[1:] for p in trust.principals_added] == [
        (
            "Federated",
            "arn:aws:iam::333333333333:oidc-provider/oidc.op1.openshiftapps.com/6e4a8c0b2d4f6a8c0e2b4d6f8a0c2e4b",
        )
    ]
    assert trust.permissions_added[0][:2] == ("Allow", "sts:AssumeRoleWithWebIdentity")
    # The shared vault's key and bucket policies name each backup role exactly (a pattern would admit a role anyone
    # who may create roles under the path makes): the new one appears in both, nothing else of the vault changes.
    new_role = "arn:aws:iam::333333333333:role/rosa/prod/prod-fraud-openshift-adp-backup"
    changed = {c.name: c for c in result.values() if c.change == "changed"}
    assert {"backup-vault-keys-backups", "backup-vault-bucket-policy"} <= set(changed)
    assert not [n for n in changed if n.startswith(("payments", "account-roles"))]
    assert all(new_role in str(changed[n]) for n in ("backup-vault-keys-backups", "backup-vault-bucket-policy"))


def test_a_reordered_document_is_no_change_but_one_more_action_is_exactly_one_tuple(prod):
    after = copy.deepcopy(prod)
    (policy,) = [r for r in after if r["name"] == "backup-vault-replication-role-policy"]
    document = json.loads(policy["inputs"]["policy"])
    reordered = {"Statement": list(reversed(document["Statement"])), "Version": document["Version"]}
    policy["inputs"]["policy"] = json.dumps(reordered, indent=4)
    assert diff.diff_renders(prod, after, "prod", "base").resources == []
    reordered["Statement"][0]["Action"] = [*reordered["Statement"][0]["Action"], "kms:DescribeKey"]
    policy["inputs"]["policy"] = json.dumps(reordered)
    (change,) = diff.diff_renders(prod, after, "prod", "base").resources
    (document_change,) = change.documents
    assert [p[:2] for p in document_change.permissions_added] == [("Allow", "kms:DescribeKey")]
    assert document_change.permissions_removed == []


def test_removing_a_cluster_lists_what_goes_and_warns_of_protected_resources(prod, prod_config):
    clusters = [c for c in json.loads(prod_config["rosa-foundation:clusters"]) if c["name"] != "checkout"]
    after = [
        r.to_json()
        for r in run_main({**prod_config, "rosa-foundation:clusters": json.dumps(clusters)}, stack="prod").resources
    ]
    result = diff.diff_renders(prod, after, "prod", "base")
    removed = [c for c in result.resources if c.change == "removed"]
    assert any(c.name == "checkout-operator-roles-kube-system-kms-provider" for c in removed)
    (checkout,) = [c for c in json.loads(prod_config["rosa-foundation:clusters"]) if c["name"] == "checkout"]
    assert any(f"'oidc-{checkout['oidc']['configId']}-provider' would be deleted" in p for p in result.protection)
    text = diff.markdown(result)
    assert "> [!CAUTION]" in text and "| - | Allow | `sts:AssumeRoleWithWebIdentity` |" in text


def test_input_changes_show_only_the_entries_that_changed(prod):
    after = copy.deepcopy(prod)
    (key,) = [r for r in after if r["name"] == "backup-vault-keys-backups"]
    key["inputs"]["tags"]["owner"] = "platform"
    text = diff.markdown(diff.diff_renders(prod, after, "prod", "base"))
    assert "- `tags.owner`: `None` → `platform`" in text or "- `tags.owner`: `null` → `platform`" in text


def test_the_command_writes_markdown_and_json_for_a_git_base(tmp_path, capsys):
    assert diff.main(["dev", "--base", "HEAD", "--out", str(tmp_path)]) == 0
    written = json.loads((tmp_path / "dev.json").read_text())
    assert written["base"] == "HEAD" and set(written["counts"]) >= {"added", "removed", "changed"}
    assert (tmp_path / "dev.md").read_text().startswith("## Stack `dev`: `HEAD` → working tree")
    assert capsys.readouterr().out.startswith("## Stack `dev`")


def test_an_unknown_base_fails_with_a_message(tmp_path, capsys):
    assert diff.main(["dev", "--base", "no-such-ref-anywhere", "--out", str(tmp_path)]) == 2
    assert "could not render 'dev' at 'no-such-ref-anywhere'" in capsys.readouterr().err
    assert not (tmp_path / "dev.md").exists()


def test_a_trust_change_to_another_accounts_roles_is_called_out_with_the_account():
    config = stack_config(stack_file("shared-vpc-owner"))
    before = [r.to_json() for r in run_main(config, stack="shared-vpc-owner").resources]
    changed = config["rosa-foundation:sharedVpc"].replace(
        '"accountRolePrefix": "SharedOpenShift"', '"accountRolePrefix": "Other"'
    )
    assert changed != config["rosa-foundation:sharedVpc"]
    after = [
        r.to_json()
        for r in run_main({**config, "rosa-foundation:sharedVpc": changed}, stack="shared-vpc-owner").resources
    ]
    result = diff.diff_renders(before, after, "shared-vpc-owner", "base")
    installer = "arn:aws:iam::666666666666:role/rosa/Other-HCP-ROSA-Installer-Role"
    assert result.account == "777777777777"
    assert sorted(result.cross_account) == [
        ("shared-hcp-shared-vpc-route53", installer, "another account 666666666666"),
        ("shared-hcp-shared-vpc-vpc-endpoint", installer, "another account 666666666666"),
    ]
    text = diff.markdown(result)
    assert "> [!WARNING]" in text
    assert f"- + trust (assumeRolePolicy): Allow AWS `{installer}` (**another account 666666666666**)" in text
    assert (
        "- - trust (assumeRolePolicy): Allow AWS `arn:aws:iam::666666666666:role/rosa/SharedOpenShift-HCP-ROSA" in text
    )


def test_red_hats_principals_are_named_as_red_hats_and_raise_no_warning(prod, prod_config):
    renamed = {**prod_config, "rosa-foundation:ocmEnvironment": "staging"}
    clusters = json.loads(renamed["rosa-foundation:clusters"])
    for entry in clusters:  # a managed issuer outside production names its URL
        if entry["oidc"]["mode"] == "managed":
            entry["oidc"]["issuerUrl"] = f"https://oidc.os1.devshift.org/{entry['oidc']['configId']}"
        entry.pop("logForwarding", None)  # Red Hat publishes no control-plane log forwarder for staging OCM
    renamed["rosa-foundation:clusters"] = json.dumps(clusters)
    after = [r.to_json() for r in run_main(renamed, stack="prod").resources]
    result = diff.diff_renders(prod, after, "prod", "base")
    assert result.cross_account and all(
        owner.startswith("Red Hat's OCM account 644306948063") for *_, owner in result.cross_account
    )
    assert "> [!WARNING]" not in diff.markdown(result)
