"""OperatorRoles under the mock runtime: one role per operator, trusted only through the cluster's OIDC provider."""

import pytest

from foundation.catalogue import load_catalogue
from tests.conftest import ACCOUNT_ID, cluster, config_id, document, run


@pytest.fixture(scope="module")
def stack():
    return run(
        iamPath="/rosa/",
        clusters=[cluster("pay", operatorRolePrefix="prod-pay"), cluster("ledger", "classic")],
    )


@pytest.mark.parametrize(("cluster_name", "topology"), [("pay", "hcp"), ("ledger", "classic")])
def test_each_operator_gets_one_role_named_prefix_namespace_operator(stack, cluster_name, topology):
    prefix = "prod-pay" if cluster_name == "pay" else "ledger"
    roles = [r for r in stack.of_type("aws:iam/role:Role") if r.parent == f"{cluster_name}-operator-roles"]
    expected = [
        f"{prefix}-{o.namespace}-{o.operator}"[:64]
        for o in load_catalogue().topology(topology).operator_roles_in("aws")
    ]
    assert sorted(r.inputs["name"] for r in roles) == sorted(expected)
    assert all(len(r.inputs["name"]) <= 64 for r in roles)


@pytest.mark.parametrize(("cluster_name", "topology"), [("pay", "hcp"), ("ledger", "classic")])
def test_trust_is_that_clusters_provider_and_exactly_the_operators_service_accounts(stack, cluster_name, topology):
    issuer = f"oidc.op1.openshiftapps.com/{config_id(cluster_name)}"
    for operator in load_catalogue().topology(topology).operator_roles_in("aws"):
        trust = document(
            stack, f"{cluster_name}-operator-roles-{operator.namespace}-{operator.operator}", "assumeRolePolicy"
        )
        (statement,) = trust["Statement"]
        assert statement["Principal"] == {"Federated": f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/{issuer}"}
        assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
        subjects = statement["Condition"]["StringEquals"][f"{issuer}:sub"]
        subjects = [subjects] if isinstance(subjects, str) else subjects
        assert subjects == [f"system:serviceaccount:{operator.namespace}:{sa}" for sa in operator.service_accounts]
        assert not any("*" in s or "?" in s for s in subjects)
        assert list(statement["Condition"]) == ["StringEquals"]


def test_hcp_operator_roles_attach_the_aws_managed_operator_policies(stack):
    for operator in load_catalogue().hcp.operator_roles_in("aws"):
        attachment = stack.named(f"pay-operator-roles-{operator.namespace}-{operator.operator}-policy")
        assert attachment.inputs["policyArn"] == f"arn:aws:iam::aws:policy/service-role/{operator.managed_policy}"


def test_classic_operator_roles_attach_the_account_wide_operator_policies(stack):
    for operator in load_catalogue().classic.operator_roles_in("aws"):
        attachment = stack.named(f"ledger-operator-roles-{operator.namespace}-{operator.operator}-policy")
        policy_name = f"ManagedOpenShift-{operator.namespace}-{operator.operator}"[:64]
        assert attachment.inputs["policyArn"] == f"arn:aws:iam::{ACCOUNT_ID}:policy/rosa/{policy_name}"


def test_operator_roles_carry_namespace_operator_and_red_hat_managed_tags(stack):
    tags = stack.named("pay-operator-roles-kube-system-kms-provider").inputs["tags"]
    assert tags["operator_namespace"] == "kube-system"
    assert tags["operator_name"] == "kms-provider"
    assert tags["red-hat-managed"] == "true"
    classic_tags = stack.named("ledger-operator-roles-openshift-machine-api-aws-cloud-credentials").inputs["tags"]
    assert "rosa_hcp_policies" not in classic_tags


def test_two_clusters_trust_two_different_issuers():
    other = "fedcba9876543210fedcba9876543210"
    stack = run(clusters=[cluster("a"), cluster("b", oidc={"mode": "managed", "configId": other})])
    trust_b = document(stack, "b-operator-roles-kube-system-kms-provider", "assumeRolePolicy")["Statement"][0]
    assert trust_b["Principal"]["Federated"].endswith(f"/oidc.op1.openshiftapps.com/{other}")
    assert f"oidc.op1.openshiftapps.com/{other}:sub" in trust_b["Condition"]["StringEquals"]
