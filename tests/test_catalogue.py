"""The project's ROSA data against Red Hat's published reference (../shared/reference/rosa)."""

import json

import pytest

from foundation import tags
from foundation.catalogue import CLASSIC_POLICY_DIR, load_catalogue
from foundation.names import StackNames
from foundation.settings.loading import settings_from_config
from tests.conftest import cluster, config


def test_red_hat_ocm_accounts_match_per_partition(reference_catalogue):
    partitions = load_catalogue().partitions
    assert list(partitions) == reference_catalogue["partitions_offered"]
    assert partitions["aws"].ocm_account_ids == reference_catalogue["ocm_account_ids"]
    assert partitions["aws-us-gov"].ocm_account_ids == reference_catalogue["ocm_account_ids_govcloud"]
    assert list(partitions["aws-us-gov"].regions or ()) == reference_catalogue["govcloud_regions"]


def test_oidc_client_ids_and_managed_issuer_match(reference_catalogue):
    oidc = load_catalogue().oidc
    assert list(oidc.client_ids) == reference_catalogue["oidc_client_ids"]
    assert reference_catalogue["managed_oidc_issuer"] == f"https://{oidc.managed_issuer_host}/{{oidc_config_id}}"


def test_self_hosted_issuer_names_match_rosas(reference_catalogue):
    """As `rosa create oidc-config --managed=false` names them: `rosa delete oidc-config` finds the bucket from the
    secret's name."""
    names = StackNames(settings_from_config(config(clusters=[cluster("h", oidc={"mode": "self-hosted"})])))
    (hosted,) = names.settings.clusters
    bucket, rosas = names.issuer_bucket(hosted), reference_catalogue["self_hosted_oidc_names"]
    assert names.private_key_secret(hosted) == rosas["private_key_secret"].replace("<bucket>", bucket)
    issuer = rosas["issuer"].replace("<bucket>", bucket).replace("<region>", names.settings.region)
    assert f"https://{names.issuer_host_path(hosted)}" == issuer


@pytest.mark.parametrize("topology", ["hcp", "classic"])
def test_account_roles_match_names_types_trust_and_policies(reference_catalogue, topology):
    catalogue = load_catalogue()
    ours = catalogue.topology(topology).account_roles
    theirs = reference_catalogue[topology]["account_roles"]
    assert [r.role for r in ours] == [r["role"] for r in theirs]
    for role, reference in zip(ours, theirs, strict=True):
        assert role.role_type == reference["role_type"]
        assert role.external_id == reference["external_id_allowed"]
        if role.trust.service:
            assert reference["trust"] == {"Service": role.trust.service}
        else:
            red_hat_role = catalogue.red_hat_roles[role.trust.red_hat_role]
            assert reference["trust"] == {"AWS": f"arn:{{partition}}:iam::{{ocm_account_id}}:role/{red_hat_role}"}
        assert role.managed_policy == reference.get("managed_policy")
        assert role.policy == reference.get("policy_id")


@pytest.mark.parametrize("topology", ["hcp", "classic"])
def test_operator_roles_match_namespaces_service_accounts_and_policies(reference_catalogue, topology):
    ours = load_catalogue().topology(topology).operator_roles_in("aws")
    theirs = reference_catalogue[topology]["operator_roles"]
    assert [(o.namespace, o.operator) for o in ours] == [(r["namespace"], r["operator"]) for r in theirs]
    for operator, reference in zip(ours, theirs, strict=True):
        assert list(operator.service_accounts) == reference["service_accounts"]
        assert operator.managed_policy == reference.get("managed_policy")
        assert operator.policy == reference.get("policy_id")


def test_rosa_creates_eight_hcp_and_six_classic_operator_roles_and_seven_classic_in_govcloud():
    catalogue = load_catalogue()
    assert [len(catalogue.hcp.operator_roles_in(p)) for p in ("aws", "aws-us-gov")] == [8, 8]
    assert [len(catalogue.classic.operator_roles_in(p)) for p in ("aws", "aws-us-gov")] == [6, 7]


def test_govclouds_seventh_classic_operator_role_is_the_vpc_endpoint_operators(reference_catalogue):
    (extra,) = set(load_catalogue().classic.operator_roles_in("aws-us-gov")) - set(
        load_catalogue().classic.operator_roles_in("aws")
    )
    reference = reference_catalogue["govcloud_classic_extra_operator_role"]
    assert (extra.namespace, extra.policy) == (reference["namespace"], reference["policy_id"])
    # openshift/aws-vpce-operator deploy/20_operator.yaml: service account aws-vpce-operator reads secret avo-aws-creds
    assert (extra.operator, extra.service_accounts) == ("avo-aws-creds", ("aws-vpce-operator",))


def test_operator_slugs_and_logical_names_are_unique():
    for topology in ("hcp", "classic"):
        operators = load_catalogue().topology(topology).operator_roles
        assert len({o.slug for o in operators}) == len(operators)
        assert len({f"{o.namespace}-{o.operator}" for o in operators}) == len(operators)


def test_classic_versions_are_exactly_the_reference_versions(reference_catalogue):
    assert list(load_catalogue().classic_versions) == reference_catalogue["classic"]["versions"]


def test_vendored_classic_documents_equal_the_reference_action_for_action(reference_dir):
    # The reference's classic folder, plus the partition-only policies (GovCloud's) from its folder of every document.
    partition_only = {o.policy for o in load_catalogue().classic.operator_roles if o.partitions}
    published = reference_dir / "policies" / "sts"
    reference_files = sorted(
        [*(reference_dir / "policies" / "classic").glob("*/*.json")]
        + [p for p in published.glob("*/*.json") if p.stem in partition_only]
    )
    vendored_files = sorted(CLASSIC_POLICY_DIR.glob("*/*.json"))
    assert sorted(f"{p.parent.name}/{p.name}" for p in reference_files) == [
        f"{p.parent.name}/{p.name}" for p in vendored_files
    ]
    for reference_file in reference_files:
        version, name = reference_file.parent.name, reference_file.stem
        assert load_catalogue().classic_policy(version, name) == json.loads(reference_file.read_text()), name


def test_every_classic_policy_the_catalogue_names_exists_for_every_version():
    catalogue = load_catalogue()
    ids = [r.policy for r in catalogue.classic.account_roles] + [o.policy for o in catalogue.classic.operator_roles]
    for version in catalogue.classic_versions:
        for policy_id in ids:
            assert (CLASSIC_POLICY_DIR / version / f"{policy_id}.json").is_file(), (version, policy_id)


@pytest.mark.parametrize(
    ("reference_key", "ours"),
    [
        ("hcp_account_role", tags.account_role_tags("hcp", "{prefix}", "{role_type}", None)),
        ("classic_account_role", tags.account_role_tags("classic", "{prefix}", "{role_type}", "{x.y}")),
        ("hcp_operator_role", tags.operator_role_tags("hcp", "{namespace}", "{operator}")),
        ("classic_operator_role", tags.operator_role_tags("classic", "{namespace}", "{operator}")),
    ],
)
def test_rosa_tags_match_the_reference(reference_catalogue, reference_key, ours):
    assert tags.added_tags(rosa=ours) == reference_catalogue["tags"][reference_key]
    assert set(reference_catalogue["tags"][reference_key]) <= tags.RESERVED_TAG_KEYS


def test_catalogue_refuses_an_hcp_role_without_its_managed_policy():
    from pydantic import ValidationError

    from foundation.catalogue import Catalogue

    data = load_catalogue().model_dump()
    data["hcp"]["account_roles"][0]["managed_policy"] = None
    with pytest.raises(ValidationError, match="must name a managed_policy"):
        Catalogue.model_validate(data)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda grant: grant.update(operator_roles=("kube-system/nonexistent",)), "names unknown or no roles"),
        (lambda grant: grant.update(actions=("kms:CreateGrant", "kms:DescribeKey")), "need the condition"),
        (lambda grant: grant.update(aws_resource_grants_only=False), "need the condition"),
    ],
)
def test_catalogue_refuses_a_key_grant_that_names_no_known_role_or_mixes_grant_actions(change, expected):
    from pydantic import ValidationError

    from foundation.catalogue import Catalogue

    data = load_catalogue().model_dump()
    (grant,) = [g for g in data["kms"]["hcp"]["volumes"] if g["sid"] == "NodePoolManagementGrants"]
    change(grant)
    with pytest.raises(ValidationError, match=expected):
        Catalogue.model_validate(data)


def test_hcp_key_grants_follow_the_managed_policies_grant_conditions(reference_dir):
    """ROSA's managed installer and node-pool policies allow CreateGrant only for AWS resources; so do our keys."""
    for document in ("sts_hcp_installer_permission_policy", "openshift_hcp_capa_controller_manager_credentials_policy"):
        statements = json.loads((reference_dir / "policies" / "hcp" / f"{document}.json").read_text())["Statement"]
        (create_grant,) = [s for s in statements if "kms:CreateGrant" in s["Action"]]
        assert create_grant["Condition"]["Bool"] == {"kms:GrantIsForAWSResource": True}
    hcp = load_catalogue().kms.hcp
    for grant in (*hcp.volumes, *hcp.etcd):
        if "kms:CreateGrant" in grant.actions:
            assert grant.aws_resource_grants_only, grant.sid
