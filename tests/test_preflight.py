"""Quotas and size limits are checked before anything is registered, naming the quota, the count and how to raise
it; a raised quota in the settings lets the stack through."""

from __future__ import annotations

import json

import pytest

from foundation.preflight import preflight
from foundation.settings.loading import SettingsError, settings_from_config
from render.runtime import Render, run_main, stack_config, stack_file
from tests.conftest import SUBNET_IDS, cluster, config

CI = {"owner": "acme", "repository": "rosa-foundation", "repositoryId": 4242, "environment": "prod"}
BOUNDARY = "arn:aws:iam::123456789012:policy/PipelineBoundary"


def problems(**settings) -> str:
    with pytest.raises(SettingsError) as failure:
        preflight(settings_from_config(config(**settings)))
    return str(failure.value)


def clusters(count: int) -> list[dict]:
    return [cluster(f"c{i:03d}", oidc={"mode": "managed", "configId": f"{i:032d}"}) for i in range(count)]


def test_one_oidc_provider_too_many_is_refused_with_the_quota_count_and_the_way_to_raise_it():
    message = problems(clusters=clusters(100), ciIdentity=CI, permissionsBoundary=BOUNDARY, iamPath="/rosa/")
    assert (
        "rosa-foundation:quotas.oidcProvidersPerAccount: the stack needs 101 IAM OIDC providers (one per OIDC issuer, "
        "and GitHub's), over the quota of 100; raise it in Service Quotas (IAM: OpenId connect providers per "
        "account) and set rosa-foundation:quotas.oidcProvidersPerAccount to the new value"
    ) in message
    preflight(
        settings_from_config(
            config(
                clusters=clusters(100),
                ciIdentity=CI,
                permissionsBoundary=BOUNDARY,
                iamPath="/rosa/",
                quotas={"oidcProvidersPerAccount": 150},
            )
        )
    )


def test_nothing_is_registered_when_a_quota_is_exceeded():
    recorded = Render()
    with pytest.raises(SettingsError):
        run_main(config(clusters=clusters(3), quotas={"rolesPerAccount": 10}), stack="test", into=recorded)
    assert [r.type for r in recorded.resources] == ["pulumi:pulumi:Stack"]


def test_roles_per_account_counts_every_role_the_stack_creates():
    # 3 HCP account roles + 8 operator roles per cluster
    assert "the stack needs 19 IAM roles, over the quota of 18" in problems(
        clusters=clusters(2), quotas={"rolesPerAccount": 18}
    )
    settings_from_config(config(clusters=clusters(2), quotas={"rolesPerAccount": 19}))


def test_a_trust_policy_over_the_size_quota_is_named():
    message = problems(quotas={"roleTrustPolicySize": 300})
    assert (
        "rosa-foundation:clusters[0] operator role openshift-image-registry/installer-cloud-credentials: its trust "
        in message
    )
    assert "over the quota of 300; raise it (IAM: Role trust policy length, up to 4096)" in message


def test_the_fixed_managed_policy_size_is_refused_with_what_to_shorten():
    message = problems(
        clusters=clusters(150), ciIdentity=CI, permissionsBoundary=BOUNDARY, quotas={"oidcProvidersPerAccount": 200}
    )
    assert "rosa-foundation:ciIdentity deploy policy 'iam':" in message and "over IAM's fixed 6144" in message
    assert "give the stack an IAM path of its own" in message


def _prod_with_forwarding_clusters(count: int) -> dict[str, str]:
    """prod with `count` more HCP clusters like payments: logs to CloudWatch and S3, audit log, AutoNode."""
    prod = stack_config(stack_file("prod"))
    payments = json.loads(prod["rosa-foundation:clusters"])[0]
    more = [
        {
            **payments,
            "name": f"orders{i}",
            "operatorRolePrefix": f"prod-orders{i}",
            "oidc": {"mode": "managed", "configId": f"6e4a8c0b2d4f6a8c0e2b4d6f8a0c2e{i:02d}"},
            "workloadRoles": [],
            "logForwarding": {"cloudwatch": {}, "s3": {"bucketName": f"acme-prod-orders{i}-control-plane-logs"}},
        }
        for i in range(count)
    ]
    return {**prod, "rosa-foundation:clusters": json.dumps([*json.loads(prod["rosa-foundation:clusters"]), *more])}


def test_the_boundary_names_the_stacks_policies_by_its_path_so_prod_takes_another_forwarding_cluster():
    """The boundary's NoPolicyBeyondStack names the stack's IAM path, not each policy (a cluster's AutoNode policy
    added 80 characters to a boundary already at 6,065 of 6,144): one more fully featured cluster fits."""
    preflight(settings_from_config(_prod_with_forwarding_clusters(1)))


def test_a_stack_that_outgrows_a_fixed_size_policy_is_refused_by_name_before_anything_is_registered():
    with pytest.raises(SettingsError) as refused:
        preflight(settings_from_config(_prod_with_forwarding_clusters(3)))
    lines = [p for p in refused.value.problems if "over IAM's fixed 6144 for a managed policy" in p]
    assert lines and all(line.startswith("rosa-foundation:") for line in lines)
    assert not [line for line in lines if "IAM path of its own" in line]  # prod has one


def test_security_group_rules_over_the_quota_are_refused():
    cidrs = [f"10.{i}.0.0/16" for i in range(61)]
    network = {"vpcId": "vpc-0123456789abcdef0", "subnetIds": SUBNET_IDS, "ingressAllowedCidrs": cidrs}
    message = problems(clusters=[cluster(network=network)])
    assert "the stack needs 61 IPv4 rules in one security group of cluster 'alpha' (ingress_allowed_cidrs)" in message


def test_quota_keys_are_validated_like_every_other_setting():
    assert "quotas.rolesPerAccount = 0" in problems(quotas={"rolesPerAccount": 0})
    assert "quotas.roleTrustPolicySize = 5000" in problems(quotas={"roleTrustPolicySize": 5000})
    assert "quotas.rolesPerAcount: unknown key" in problems(quotas={"rolesPerAcount": 5})


def test_the_fleet_example_needs_its_raised_oidc_provider_quota():
    fleet = stack_config(stack_file("fleet"))
    assert json.loads(fleet["rosa-foundation:quotas"]) == {"oidcProvidersPerAccount": 150}
    with pytest.raises(SettingsError, match="needs 101 IAM OIDC providers"):
        preflight(settings_from_config({k: v for k, v in fleet.items() if k != "rosa-foundation:quotas"}))
