"""Customer-managed keys per cluster: rotation, deletion window, aliases, and key policies that grant exactly the
roles ROSA documents for each key, with grants restricted to AWS resources."""

import pytest

from foundation.catalogue import load_catalogue
from foundation.settings.loading import SettingsError, settings_from_config
from tests.conftest import ACCOUNT_ID, cluster, config, document, inputs_of, run


def statements(render, key_name) -> dict[str, dict]:
    return {s["Sid"]: s for s in document(render, key_name, "policy")["Statement"]}


def principals(statement) -> set[str]:
    found = statement["Principal"]["AWS"]
    return {found} if isinstance(found, str) else set(found)


def test_hcp_cluster_gets_a_volume_key_and_an_etcd_key_classic_only_a_volume_key():
    render = run(clusters=[cluster("h"), cluster("c", "classic")])
    assert set(render.outputs["clusters"]["h"]["kmsKeyArns"]) == {"volumes", "etcd"}
    assert set(render.outputs["clusters"]["c"]["kmsKeyArns"]) == {"volumes"}


def test_keys_rotate_with_a_thirty_day_deletion_window_by_default_and_carry_an_alias():
    render = run()
    for purpose in ("volumes", "etcd"):
        key = inputs_of(render, f"alpha-keys-{purpose}")
        assert key["enableKeyRotation"] is True and key["deletionWindowInDays"] == 30
        assert inputs_of(render, f"alpha-keys-{purpose}-alias")["name"] == f"alias/rosa/alpha/{purpose}"


@pytest.mark.parametrize("days", [6, 31])
def test_deletion_window_outside_kms_range_is_refused(days):
    with pytest.raises(SettingsError, match=rf"encryption.deletionWindowDays = {days}"):
        settings_from_config(config(encryption={"deletionWindowDays": days}))


def test_account_root_stays_key_administrator():
    root = statements(run(), "alpha-keys-volumes")["AccountRootAdministers"]
    assert root["Principal"] == {"AWS": f"arn:aws:iam::{ACCOUNT_ID}:root"} and root["Action"] == "kms:*"


@pytest.mark.parametrize("topology", ["hcp", "classic"])
def test_key_policies_grant_exactly_the_catalogues_roles_and_actions(topology):
    render = run(clusters=[cluster("k", topology)])
    summary = render.outputs["clusters"]["k"]
    keys = load_catalogue().kms.topology(topology)
    for purpose, grants in (("volumes", keys.volumes), ("etcd", keys.etcd)):
        if not grants:
            continue
        found = statements(render, f"k-keys-{purpose}")
        assert set(found) == {"AccountRootAdministers", *(g.sid for g in grants)}
        for grant in grants:
            expected = {summary["accountRoleArns"][s] for s in grant.account_roles}
            expected |= {summary["operatorRoleArns"][s] for s in grant.operator_roles}
            assert principals(found[grant.sid]) == expected, grant.sid
            actions = found[grant.sid]["Action"]
            assert sorted([actions] if isinstance(actions, str) else actions) == sorted(grant.actions)


@pytest.mark.parametrize("topology", ["hcp", "classic"])
def test_grant_permissions_stand_alone_and_only_for_aws_resources(topology):
    render = run(clusters=[cluster("k", topology)])
    purposes = ("volumes", "etcd") if topology == "hcp" else ("volumes",)
    for purpose in purposes:
        for sid, statement in statements(render, f"k-keys-{purpose}").items():
            actions = statement["Action"]
            actions = [actions] if isinstance(actions, str) else actions
            if sid == "AccountRootAdministers" or "kms:CreateGrant" not in actions:
                continue
            # Alone, because the condition would also refuse any non-grant action in the same statement.
            assert set(actions) <= {"kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"}, sid
            assert statement["Condition"] == {"Bool": {"kms:GrantIsForAWSResource": "true"}}, sid


def test_hcp_keys_carry_the_red_hat_tag_rosas_managed_policies_require():
    render = run()
    assert inputs_of(render, "alpha-keys-volumes")["tags"]["red-hat"] == "true"
    classic = run(clusters=[cluster("c", "classic")])
    assert "red-hat" not in inputs_of(classic, "c-keys-volumes")["tags"]


def test_keys_are_registered_after_the_roles_their_policies_name():
    render = run()
    names = [r.name for r in render.resources]
    assert names.index("alpha-keys-volumes") > names.index(
        "alpha-operator-roles-openshift-cluster-csi-drivers-ebs-cloud-credentials"
    )
    assert names.index("alpha-keys-etcd") > names.index("alpha-operator-roles-kube-system-kms-provider")


def test_rosa_create_cluster_uses_the_keys():
    summary = run().outputs["clusters"]["alpha"]
    args = summary["rosaCreateClusterArgs"]
    assert args[args.index("--kms-key-arn") + 1] == summary["kmsKeyArns"]["volumes"]
    assert args[args.index("--etcd-encryption-kms-arn") + 1] == summary["kmsKeyArns"]["etcd"]
    assert "--etcd-encryption" in args
