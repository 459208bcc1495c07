"""Review of issue 13 ("ROSA fidelity"): settings the stack accepts that rosa, OCM or AWS refuse, and a traceback.
Each test names its defect and the upstream evidence; they fail until the defect is fixed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from foundation.settings.loading import SettingsError, check_account_stack, settings_from_config
from render.runtime import render_stack
from tests.conftest import ACCOUNT_ID, CONFIG_ID, NAMED_ISSUER, SUBNET_IDS, cluster, config, run

GOV = {"partition": "aws-us-gov", "region": "us-gov-west-1"}


def refused(**settings) -> str | None:
    try:
        settings_from_config(config(**settings))
    except SettingsError as invalid:
        return str(invalid)
    return None


def test_govcloud_classic_cluster_is_always_privatelink():
    """rosa enables FedRAMP in a GovCloud region (pkg/aws/client.go:475-476) and then forces PrivateLink
    (cmd/create/cluster/cmd.go:2158); a 2-subnet public classic layout then fails ValidateSubnetsCount
    (pkg/ocm/helpers.go:809-823, 'should be 1'). The stack must refuse it or emit --private-link."""
    gov = cluster("gov", "classic", oidc=NAMED_ISSUER, network={"subnetIds": SUBNET_IDS})
    message = refused(**GOV, clusters=[gov])
    if message is None:
        args = run(**GOV, clusters=[gov]).outputs["clusters"]["gov"]["rosaCreateClusterArgs"]
        pytest.fail(f"accepted a public GovCloud classic cluster; rosa forces PrivateLink: {' '.join(args)}")
    assert "private" in message


def test_govcloud_hcp_cluster_is_always_private():
    """rosa forces a GovCloud hosted cluster private with private ingress (cmd/create/cluster/cmd.go:2201-2204), so
    public subnets are refused (pkg/ocm/helpers.go:826-, ValidateHostedClusterSubnets) and the API endpoint is in the
    VPC; the stack calls it public (and so refuses apiAllowedCidrs for it)."""
    gov = cluster("gov", oidc=NAMED_ISSUER)
    message = refused(**GOV, clusters=[gov])
    if message is None:
        args = run(**GOV, clusters=[gov]).outputs["clusters"]["gov"]["rosaCreateClusterArgs"]
        assert "--private" in args, f"a GovCloud HCP cluster is private whatever the stack says: {' '.join(args)}"


def test_cloudfront_issuer_is_refused_in_govcloud():
    """CloudFront is not in the aws-us-gov partition (AWS GovCloud User Guide; AWS Solutions 'Deploy in AWS GovCloud
    (US) Regions': 'Amazon CloudFront is not available in the AWS GovCloud (US) partition')."""
    gov = cluster("gov", "classic", oidc={"mode": "self-hosted", "publicAccess": "cloudfront"})
    message = refused(**GOV, clusters=[gov])
    assert message and "cloudfront" in message.lower()


def test_red_hat_support_principal_must_be_in_the_stacks_partition():
    """IAM refuses a trust principal of another partition (MalformedPolicyDocument); permissionsBoundary is checked so,
    redHatSupportPrincipal is not (foundation/settings/models.py:290, no rule)."""
    message = refused(redHatSupportPrincipal="arn:aws-us-gov:iam::448648337690:role/RH-Technical-Support-Access")
    assert message and "redHatSupportPrincipal" in message


def test_external_id_is_ascii_as_rosa_and_sts_take_it():
    """rosa: ^[\\w+=,.@:\\/-]*$ in Go (RE2: \\w is ASCII) — ocm-common pkg/aws/ststrust/constants.go; Python's \\w
    takes any Unicode letter, so 'café-id' passed into the trust policy and the command rosa refuses."""
    message = refused(trustExternalId="café-id")
    assert message and "trustExternalId" in message


def test_one_config_id_is_one_issuer_whatever_the_mode():
    """A config id names one OIDC config, one issuer (rosa_rules.shared_issuer_problems checks managed ones only); a
    self-hosted cluster naming a managed cluster's id gets operator roles trusting its bucket, and rosa create
    cluster --oidc-config-id refuses them (ocm-common pkg/ocm/validations/helpers.go
    ValidateIssuerUrlMatchesAssumePolicyDocument)."""
    managed = cluster("alpha")
    hosted = cluster("beta", "classic", oidc={"mode": "self-hosted", "configId": CONFIG_ID})
    message = refused(clusters=[managed, hosted])
    assert message and CONFIG_ID in message


def _write(path: Path, config_map: dict) -> None:
    path.write_text("config:\n" + "".join(f"  {k}: {json.dumps(v)}\n" for k, v in config_map.items()))


def test_an_unreadable_account_stack_file_is_one_line_not_a_traceback(tmp_path):
    """foundation/stack_files.py stack_config lets yaml.YAMLError through: check_account_stack (and the render)
    end in a traceback instead of a SettingsError naming the file."""
    (tmp_path / "Pulumi.acct.yaml").write_text("config:\n  rosa-foundation:accountId: [1\n")
    settings = settings_from_config(config(layout="cluster", accountStack="acct"))
    with pytest.raises(SettingsError, match="acct"):
        check_account_stack(settings, "cl", stacks_dir=tmp_path)


def test_the_render_checks_a_cluster_stack_against_the_account_stack_it_renders(tmp_path):
    """render_stack(stack, stacks_dir) renders the account stack from stacks_dir, but the program's load_settings
    checks it against stacks/ (STACKS_DIR): `python -m render <stack> --stacks <dir>` cannot render a split pair."""
    common = {"aws:region": "eu-west-1", "rosa-foundation:accountId": ACCOUNT_ID}
    _write(
        tmp_path / "Pulumi.acct-x.yaml",
        {**common, "rosa-foundation:layout": "account", "rosa-foundation:accountRoleTopologies": ["hcp"]},
    )
    _write(
        tmp_path / "Pulumi.cl-x.yaml",
        {
            **common,
            "rosa-foundation:layout": "cluster",
            "rosa-foundation:accountStack": "acct-x",
            "rosa-foundation:clusters": [cluster("alpha")],
        },
    )
    render = render_stack("cl-x", tmp_path)
    assert "alpha" in render.outputs["clusters"]


def test_a_cluster_stack_whose_external_id_differs_from_its_account_stacks_is_refused(tmp_path):
    """rosa_rules.account_stack_problems compares trustExternalId (rosa create cluster --external-id must be a value
    in both roles' trust: ocm-common pkg/aws/ststrust/validate.go ValidateEnteredForRoleTrustPolicies), but no test
    holds it: deleting that line leaves tests/test_split_layout.py green. This one guards it (passes today)."""
    from foundation.stack_files import stack_config, stack_file
    from tests.test_split_layout import _account_stack

    settings = settings_from_config(stack_config(stack_file("split-hcp")))
    with pytest.raises(SettingsError, match="trustExternalId"):
        check_account_stack(settings, "split-hcp", _account_stack(tmp_path, trustExternalId="other-id-123"))
