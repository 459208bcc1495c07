"""OIDC issuers as ROSA and OCM name them: a managed config's issuer is `<host>/<config id>` on the host OCM gives."""

import pytest

from foundation.settings.loading import SettingsError, settings_from_config
from tests.conftest import CONFIG_ID, NAMED_ISSUER, cluster, config

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
    named = settings_from_config(config(**settings, clusters=[managed(issuerUrl=STAGING_ISSUER)]))
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
