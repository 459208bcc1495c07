"""A workload role several clusters trust (the stack's `workloadRoles`, blue/green): one role at the stack level, one
exact-subject statement per cluster's issuer; evaluated, it admits the service account of each listed cluster and
no other cluster's or service account's token."""

from __future__ import annotations

import pytest

from foundation.settings.loading import SettingsError, settings_from_config
from tests.conftest import CONFIG_ID, cluster, config, document, run
from tests.iam_evaluation import assumable_with_web_identity

LEDGER = {
    "namespace": "ledger",
    "serviceAccount": "api",
    "trustedClusters": ["blue", "green"],
    "statements": [{"actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::ledger/*"]}],
}
CLUSTERS = [cluster("blue"), cluster("green"), cluster("other")]


@pytest.fixture(scope="module")
def render():
    return run(clusters=CLUSTERS, workloadRoles=[LEDGER])


def claims(render, name: str, subject: str, audience: str = "sts.amazonaws.com") -> tuple[str, dict[str, str]]:
    provider = render.outputs["clusters"][name]["oidcProviderArn"]
    host = provider.split("oidc-provider/")[1]
    return provider, {f"{host}:sub": subject, f"{host}:aud": audience}


def test_each_listed_clusters_service_account_may_assume_the_role_and_nothing_else(render):
    trust = document(render, "workload-roles-ledger-api", "assumeRolePolicy")
    subject = "system:serviceaccount:ledger:api"
    assert [assumable_with_web_identity(trust, *claims(render, c, subject)) for c in ("blue", "green", "other")] == [
        True,
        True,
        False,
    ]
    for wrong in ("system:serviceaccount:ledger:default", "system:serviceaccount:other:api"):
        assert not assumable_with_web_identity(trust, *claims(render, "blue", wrong))
    assert not assumable_with_web_identity(trust, *claims(render, "green", subject, "openshift"))


def test_one_exact_statement_per_cluster_issuer(render):
    trust = document(render, "workload-roles-ledger-api", "assumeRolePolicy")
    providers = [s["Principal"]["Federated"] for s in trust["Statement"]]
    assert providers == [render.outputs["clusters"][c]["oidcProviderArn"] for c in ("blue", "green")]


def test_the_role_lives_with_the_stack_named_by_its_prefix_and_outlives_either_cluster(render):
    role = render.named("workload-roles-ledger-api")
    assert role.parent == "workload-roles" and role.inputs["name"] == "ManagedOpenShift-ledger-api"
    arn = "arn:aws:iam::123456789012:role/ManagedOpenShift-ledger-api"
    assert render.outputs["workloadRoleArns"] == {"ledger/api": arn}
    retired = run(clusters=CLUSTERS[1:], workloadRoles=[{**LEDGER, "trustedClusters": ["green"]}])
    assert retired.named("workload-roles-ledger-api").urn == role.urn


def test_without_stack_roles_the_output_is_not_there():
    assert "workloadRoleArns" not in run().outputs


def problems(**settings) -> str:
    with pytest.raises(SettingsError) as failure:
        settings_from_config(config(**settings))
    return str(failure.value)


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (
            {"clusters": CLUSTERS, "workloadRoles": [{**LEDGER, "trustedClusters": ["blue", "purple"]}]},
            "rosa-foundation:workloadRoles[0].trustedClusters[1] = 'purple': no cluster of this stack has that name "
            "(its clusters: blue, green, other)",
        ),
        (
            {"clusters": CLUSTERS, "workloadRoles": [{**LEDGER, "trustedClusters": ["blue", "blue"]}]},
            "workloadRoles[0].trustedClusters[1] = 'blue': already listed (trustedClusters[0])",
        ),
        (
            {"clusters": CLUSTERS, "workloadRoles": [{k: v for k, v in LEDGER.items() if k != "trustedClusters"}]},
            "rosa-foundation:workloadRoles[0].trustedClusters is missing",
        ),
        (
            {"clusters": [cluster("blue", workloadRoles=[LEDGER])]},
            "rosa-foundation:clusters[0].workloadRoles[0].trustedClusters: a role several clusters trust outlives any "
            "one of them, so it lives in the stack's rosa-foundation:workloadRoles",
        ),
        (
            {"clusters": [cluster("blue", workloadRoles=[LEDGER | {"trustedClusters": []}]), *CLUSTERS[1:]],
             "workloadRoles": [LEDGER]},
            "rosa-foundation:workloadRoles[0]: service account ledger/api of cluster 'blue' already has a role "
            "(rosa-foundation:clusters[0].workloadRoles[0])",
        ),
        (
            {"clusters": [*CLUSTERS[:2], cluster("twin", oidc={"mode": "managed", "configId": CONFIG_ID}),
                          cluster("alpha")], "workloadRoles": [{**LEDGER, "trustedClusters": ["alpha"]}]},
            "rosa-foundation:workloadRoles[0].trustedClusters: 'alpha' shares OIDC config",
        ),
    ],
    ids=["unknown-cluster", "listed-twice", "no-clusters", "on-a-cluster", "one-account-two-roles", "shared-issuer"],
)  # fmt: skip
def test_bad_trusted_clusters_are_refused_with_one_line(settings, expected):
    assert expected in problems(**settings)
