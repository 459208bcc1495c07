"""OIDC issuers as ROSA and OCM name them (a managed config's issuer is `<host>/<config id>` on the host OCM gives),
and one IAM OIDC provider per issuer, shared by the clusters on one config."""

import pytest

from foundation.preflight import preflight
from foundation.settings.loading import SettingsError, settings_from_config
from render import sdk
from render.protection import protection_problems
from tests.conftest import ACCOUNT_ID, CONFIG_ID, NAMED_ISSUER, PRIVATE_NETWORK, cluster, config, document, run

STAGING_ISSUER = NAMED_ISSUER["issuerUrl"]


def problems(**settings) -> str:
    with pytest.raises(SettingsError) as failure:
        settings_from_config(config(**settings))
    return str(failure.value)


def managed(name="alpha", config_id=CONFIG_ID, **oidc) -> dict:
    return cluster(name, oidc={"mode": "managed", "configId": config_id, **oidc})


def test_production_ocm_in_the_commercial_partition_defaults_to_red_hats_issuer_host():
    (alpha,) = settings_from_config(config()).clusters
    assert alpha.oidc.issuer == f"https://oidc.op1.openshiftapps.com/{CONFIG_ID}"


@pytest.mark.parametrize(
    ("settings", "where"),
    [
        ({"ocmEnvironment": "staging"}, "rosa-foundation:ocmEnvironment 'staging'"),
        ({"partition": "aws-us-gov", "region": "us-gov-west-1"}, "rosa-foundation:partition 'aws-us-gov'"),
    ],
)
def test_staging_ocm_or_govcloud_must_name_the_issuer_instead_of_guessing_its_host(settings, where):
    message = problems(**settings)
    assert (
        f"rosa-foundation:clusters[0].oidc.issuerUrl is missing: oidc.op1.openshiftapps.com is production OCM's "
        f"issuer host in partition 'aws', not for {where}; copy the issuer URL of config {CONFIG_ID} from "
        "`rosa list oidc-config`"
    ) in message
    named_issuer = {**managed(issuerUrl=STAGING_ISSUER), "network": PRIVATE_NETWORK}
    named = settings_from_config(config(**settings, clusters=[named_issuer]))
    assert named.clusters[0].oidc.issuer == STAGING_ISSUER


def test_an_issuer_url_that_does_not_end_in_its_config_id_is_refused():
    other = "0" * 32
    message = problems(clusters=[managed(issuerUrl=f"https://oidc.os1.devshift.org/{other}")])
    assert (
        f"rosa-foundation:clusters[0].oidc.issuerUrl = 'https://oidc.os1.devshift.org/{other}': must end in "
        f"/{CONFIG_ID}, its configId"
    ) in message
    assert "must end in" in problems(clusters=[managed(issuerUrl="https://oidc.os1.devshift.org")])


@pytest.mark.parametrize("config_id", ["0123456789ABCDEFGHIJKLMNOPQRSTUV", "0123456789abcdef", "oidc-config-123"])
def test_a_config_id_is_ocms_32_lower_case_letters_and_digits(config_id):
    assert f"rosa-foundation:clusters[0].oidc.configId = '{config_id}'" in problems(
        clusters=[managed(config_id=config_id)]
    )


# --- several clusters on one OIDC config ------------------------------------------------------------------------------

OTHER_ID = "v" * 32
APP = {"namespace": "shop", "serviceAccount": "api", "managedPolicyArns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]}


def provider_problems(before, after) -> list[str]:
    return [p for p in protection_problems(before, after) if "OpenIdConnectProvider" in p]


def resources(**settings) -> list[dict]:
    return [r.to_json() for r in run(**settings).resources]


def test_clusters_on_one_managed_config_share_one_iam_oidc_provider():
    stack = run(clusters=[managed("a"), managed("b"), managed("c", OTHER_ID)])
    providers = stack.of_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    assert sorted(p.name for p in providers) == [f"oidc-{CONFIG_ID}-provider", f"oidc-{OTHER_ID}-provider"]
    summaries = stack.outputs["clusters"]
    arn = f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/oidc.op1.openshiftapps.com/{CONFIG_ID}"
    assert summaries["a"]["oidcProviderArn"] == summaries["b"]["oidcProviderArn"] == arn
    trust = document(stack, "b-operator-roles-kube-system-kms-provider", "assumeRolePolicy")
    assert trust["Statement"][0]["Principal"] == {"Federated": arn}


def test_a_provider_answers_to_the_urns_it_had_inside_its_clusters_foundation():
    stack = run(clusters=[managed("a"), cluster("h", oidc={"mode": "self-hosted"})])
    for cluster_name, component in (("a", f"oidc-{CONFIG_ID}"), ("h", "h-oidc")):
        foundation = stack.named(cluster_name).urn
        oidc, provider = stack.named(component), stack.named(f"{component}-provider")
        old = sdk.urn(oidc.urn, foundation, oidc.type, f"{cluster_name}-oidc")
        assert old in oidc.to_json()["options"]["aliases"]
        old_provider = sdk.urn(provider.urn, old, provider.type, f"{cluster_name}-oidc-provider")
        assert old_provider in {provider.urn, *provider.to_json()["options"]["aliases"]}


def test_adding_or_retiring_a_cluster_on_a_shared_config_keeps_its_provider():
    alone, shared = resources(clusters=[managed("a")]), resources(clusters=[managed("b"), managed("a")])
    assert provider_problems(alone, shared) == []  # b joins a's config, listed first
    assert provider_problems(shared, resources(clusters=[managed("b")])) == []  # a retires


def test_two_self_hosted_clusters_naming_one_bucket_are_refused():
    hosted = {"mode": "self-hosted", "bucketName": "acme-oidc"}
    message = problems(clusters=[cluster("a", oidc=hosted), cluster("b", oidc=hosted)])
    assert "rosa-foundation:clusters[1].oidc.bucketName: bucket 'acme-oidc' is also used by" in message


def test_one_config_id_with_two_issuer_urls_is_refused():
    message = problems(clusters=[managed("a"), managed("b", issuerUrl=NAMED_ISSUER["issuerUrl"])])
    assert (
        f"rosa-foundation:clusters[1].oidc.configId = '{CONFIG_ID}': clusters[0] names it with "
        f"https://oidc.op1.openshiftapps.com/{CONFIG_ID}, this cluster with {NAMED_ISSUER['issuerUrl']}; one OIDC "
        "config has one issuer"
    ) in message


def test_a_self_hosted_clusters_config_id_is_its_own():
    """rosa create cluster --oidc-config-id refuses operator roles that trust another issuer (ocm-common
    pkg/ocm/validations/helpers.go ValidateIssuerUrlMatchesAssumePolicyDocument)."""
    hosted = cluster("beta", "classic", oidc={"mode": "self-hosted", "configId": CONFIG_ID})
    message = problems(clusters=[managed("alpha"), hosted])
    assert f"clusters[1].oidc.configId = '{CONFIG_ID}': clusters[0] names it with https://" in message
    assert "this cluster with the self-hosted issuer of beta" in message


def test_a_cloudfront_issuer_is_refused_where_cloudfront_is_not_offered():
    """ "Amazon CloudFront is not available in the AWS GovCloud (US) partition" (AWS GovCloud (US) User Guide)."""
    gov = cluster("gov", "classic", oidc={"mode": "self-hosted", "publicAccess": "cloudfront"})
    message = problems(partition="aws-us-gov", region="us-gov-west-1", clusters=[gov])
    assert (
        "clusters[0].oidc.publicAccess = 'cloudfront': CloudFront is not offered in partition 'aws-us-gov'" in message
    )


def test_workload_or_backup_roles_on_a_shared_config_are_refused_unless_accepted():
    with_app = {**managed("b"), "workloadRoles": [APP]}
    message = problems(clusters=[managed("a"), with_app], backup={"vault": "shared"})
    assert (
        f"rosa-foundation:clusters[1].oidc.configId = '{CONFIG_ID}': shared with clusters[0] (a), whose tokens its "
        "key signs alike, so a service account there can assume this cluster's workload role shop/api, backup role "
        "by the same namespace and name; give the cluster an OIDC config of its own, or set "
        "rosa-foundation:clusters[1].oidc.allowRolesOnSharedIssuer: true to accept it"
    ) in message
    assert "rosa-foundation:clusters[0].oidc.configId" in message  # a's backup role is as exposed
    accepted = {"allowRolesOnSharedIssuer": True}
    b_accepted = {**managed("b", **accepted), "workloadRoles": [APP]}
    settings_from_config(config(clusters=[managed("a", **accepted), b_accepted], backup={"vault": "shared"}))
    settings_from_config(config(clusters=[managed("a"), managed("b")]))  # operator roles alone: as ROSA shares them


def test_the_quota_counts_one_oidc_provider_per_issuer():
    quota = {"oidcProvidersPerAccount": 1}
    preflight(settings_from_config(config(clusters=[managed("a"), managed("b")], quotas=quota)))
    with pytest.raises(SettingsError, match="the stack needs 2 IAM OIDC providers"):
        preflight(settings_from_config(config(clusters=[managed("a"), managed("b", OTHER_ID)], quotas=quota)))
