"""AccountRoles under the mock runtime: names, trust, policies, tags, path, boundary and session cap per topology."""

import json

import pytest

from foundation.catalogue import load_catalogue
from tests.conftest import ACCOUNT_ID, NAMED_ISSUER, PRIVATE_NETWORK, cluster, document, inputs_of, run
from tests.iam_evaluation import evaluate

BOUNDARY = f"arn:aws:iam::{ACCOUNT_ID}:policy/Boundary"


@pytest.fixture(scope="module")
def hcp_stack():
    return run(accountRolePrefix="Acme", iamPath="/rosa/", permissionsBoundary=BOUNDARY, tags={"team": "platform"})


@pytest.fixture(scope="module")
def classic_stack():
    return run(
        accountRolePrefix="Acme",
        trustExternalId="ext-42",
        clusters=[cluster("ledger", "classic", openshiftVersion="4.21.4")],
    )


def test_hcp_creates_installer_support_and_worker_roles_named_as_rosa_does(hcp_stack):
    names = sorted(r.inputs["name"] for r in hcp_stack.of_type("aws:iam/role:Role") if "account-roles" in r.name)
    assert names == ["Acme-HCP-ROSA-Installer-Role", "Acme-HCP-ROSA-Support-Role", "Acme-HCP-ROSA-Worker-Role"]


def test_hcp_roles_trust_exactly_red_hats_principals_and_ec2(hcp_stack):
    principals = {
        slug: document(hcp_stack, f"account-roles-hcp-{slug}", "assumeRolePolicy")["Statement"][0]["Principal"]
        for slug in ("installer", "support", "instance-worker")
    }
    assert principals == {
        "installer": {"AWS": "arn:aws:iam::710019948333:role/RH-Managed-OpenShift-Installer"},
        "support": {"AWS": "arn:aws:iam::710019948333:role/RH-Technical-Support-Access"},
        "instance-worker": {"Service": "ec2.amazonaws.com"},
    }


def test_hcp_attaches_the_aws_managed_rosa_policies(hcp_stack):
    attached = {
        r.parent: r.inputs["policyArn"]
        for r in hcp_stack.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if r.parent.startswith("account-roles")
    }
    assert attached == {
        "account-roles-hcp-installer": "arn:aws:iam::aws:policy/service-role/ROSAInstallerPolicy",
        "account-roles-hcp-support": "arn:aws:iam::aws:policy/service-role/ROSASRESupportPolicy",
        "account-roles-hcp-instance-worker": "arn:aws:iam::aws:policy/service-role/ROSAWorkerInstancePolicy",
    }
    assert not hcp_stack.of_type("aws:iam/policy:Policy")


def test_every_role_has_path_boundary_and_a_one_hour_session_cap(hcp_stack):
    roles = hcp_stack.of_type("aws:iam/role:Role")
    assert len(roles) == 3 + 8
    for role in roles:
        assert role.inputs["path"] == "/rosa/", role.name
        assert role.inputs["permissionsBoundary"] == BOUNDARY, role.name
        assert role.inputs["maxSessionDuration"] == 3600, role.name


def test_the_users_tags_reach_every_resource_through_the_providers_default_tags(hcp_stack):
    assert json.loads(inputs_of(hcp_stack, "aws")["defaultTags"]) == {"tags": {"team": "platform"}}
    providers = {r.urn for r in hcp_stack.of_type("pulumi:providers:aws")}
    roles = hcp_stack.of_type("aws:iam/role:Role")
    assert roles and all(r.provider_urn in providers for r in roles)


def test_hcp_account_roles_carry_the_tags_rosa_recognises(hcp_stack):
    assert inputs_of(hcp_stack, "account-roles-hcp-support")["tags"] == {
        "red-hat-managed": "true",
        "rosa_role_prefix": "Acme",
        "rosa_role_type": "support",
        "rosa_hcp_policies": "true",
        "rosa_managed_policies": "true",
    }


def test_classic_creates_four_roles_with_their_versioned_policies(classic_stack):
    catalogue = load_catalogue()
    for spec in catalogue.classic.account_roles:
        role = inputs_of(classic_stack, f"account-roles-classic-{spec.slug}")
        assert role["name"] == f"Acme-{spec.role}-Role"
        assert role["tags"]["rosa_openshift_version"] == "4.21"
        policy = inputs_of(classic_stack, f"account-roles-classic-{spec.slug}-policy")
        assert policy["name"] == f"Acme-{spec.role}-Role-Policy"
        assert json.loads(policy["policy"]) == catalogue.classic_policy("4.21", spec.policy)
        attachment = inputs_of(classic_stack, f"account-roles-classic-{spec.slug}-attachment")
        assert attachment["policyArn"] == f"arn:aws:iam::{ACCOUNT_ID}:policy/Acme-{spec.role}-Role-Policy"
        assert attachment["role"] == role["name"]


def test_classic_creates_the_account_wide_operator_policies(classic_stack):
    catalogue = load_catalogue()
    for spec in catalogue.classic.operator_roles_in("aws"):
        policy = inputs_of(classic_stack, f"account-roles-classic-{spec.namespace}-{spec.operator}")
        assert policy["name"] == f"Acme-{spec.namespace}-{spec.operator}"[:64]
        assert json.loads(policy["policy"]) == catalogue.classic_policy("4.21", spec.policy)
        assert policy["tags"]["operator_namespace"] == spec.namespace


def test_external_id_binds_classic_installer_and_support_but_never_instance_roles(classic_stack):
    def condition(slug):
        return document(classic_stack, f"account-roles-classic-{slug}", "assumeRolePolicy")["Statement"][0].get(
            "Condition"
        )

    assert condition("installer") == {"StringEquals": {"sts:ExternalId": "ext-42"}}
    assert condition("support") == {"StringEquals": {"sts:ExternalId": "ext-42"}}
    assert condition("instance-worker") is None
    assert condition("instance-controlplane") is None


def test_external_id_binds_the_hcp_installer_and_support_but_never_the_worker():
    stack = run(trustExternalId="ext-42")
    conditions = {
        slug: document(stack, f"account-roles-hcp-{slug}", "assumeRolePolicy")["Statement"][0].get("Condition")
        for slug in ("installer", "support", "instance-worker")
    }
    assert conditions == {
        "installer": {"StringEquals": {"sts:ExternalId": "ext-42"}},
        "support": {"StringEquals": {"sts:ExternalId": "ext-42"}},
        "instance-worker": None,
    }


def test_arns_follow_the_partition():
    stack = run(
        region="us-gov-west-1", partition="aws-us-gov", clusters=[cluster(oidc=NAMED_ISSUER, network=PRIVATE_NETWORK)]
    )
    attachment = stack.named("account-roles-hcp-installer-policy").inputs["policyArn"]
    assert attachment == "arn:aws-us-gov:iam::aws:policy/service-role/ROSAInstallerPolicy"


@pytest.mark.parametrize(("environment", "jump_account"), [("production", "448648337690"), ("staging", "448870092490")])
def test_govcloud_account_roles_trust_red_hats_fedramp_jump_account(environment, jump_account):
    stack = run(
        region="us-gov-east-1",
        partition="aws-us-gov",
        ocmEnvironment=environment,
        clusters=[cluster(oidc=NAMED_ISSUER, network=PRIVATE_NETWORK)],
    )
    principals = {
        slug: document(stack, f"account-roles-hcp-{slug}", "assumeRolePolicy")["Statement"][0]["Principal"]["AWS"]
        for slug in ("installer", "support")
    }
    assert principals == {
        "installer": f"arn:aws-us-gov:iam::{jump_account}:role/RH-Managed-OpenShift-Installer",
        "support": f"arn:aws-us-gov:iam::{jump_account}:role/RH-Technical-Support-Access",
    }


def test_govcloud_classic_clusters_get_the_vpc_endpoint_operator_role_and_its_policy():
    stack = run(
        region="us-gov-west-1",
        partition="aws-us-gov",
        clusters=[cluster("gov", "classic", oidc=NAMED_ISSUER, network=PRIVATE_NETWORK)],
    )
    policy = inputs_of(stack, "account-roles-classic-openshift-aws-vpce-operator-avo-aws-creds")
    assert policy["name"] == "ManagedOpenShift-openshift-aws-vpce-operator-avo-aws-creds"
    assert json.loads(policy["policy"]) == load_catalogue().classic_policy(
        "4.20", "openshift_aws_vpce_operator_avo_aws_creds_policy"
    )
    role = inputs_of(stack, "gov-operator-roles-openshift-aws-vpce-operator-avo-aws-creds")
    assert role["name"] == "gov-openshift-aws-vpce-operator-avo-aws-creds"
    trust = json.loads(role["assumeRolePolicy"])["Statement"][0]["Condition"]["StringEquals"]
    assert list(trust.values()) == ["system:serviceaccount:openshift-aws-vpce-operator:aws-vpce-operator"]
    assert len(stack.outputs["clusters"]["gov"]["operatorRoleArns"]) == 7
    commercial = run(clusters=[cluster("com", "classic")])
    assert len(commercial.outputs["clusters"]["com"]["operatorRoleArns"]) == 6


def test_the_support_role_trusts_the_organisations_support_principal_from_ocm_when_set():
    sre = "arn:aws:iam::710019948333:role/RH-Technical-Support-12345678"
    stack = run(redHatSupportPrincipal=sre, trustExternalId="ext-42")
    statement = document(stack, "account-roles-hcp-support", "assumeRolePolicy")["Statement"][0]
    assert statement["Principal"] == {"AWS": sre}
    assert statement["Condition"] == {"StringEquals": {"sts:ExternalId": "ext-42"}}
    installer = document(stack, "account-roles-hcp-installer", "assumeRolePolicy")["Statement"][0]
    assert installer["Principal"] == {"AWS": "arn:aws:iam::710019948333:role/RH-Managed-OpenShift-Installer"}


def test_staging_ocm_environment_changes_only_the_trusted_account():
    stack = run(ocmEnvironment="staging", clusters=[cluster(oidc=NAMED_ISSUER, network=PRIVATE_NETWORK)])
    principal = document(stack, "account-roles-hcp-installer", "assumeRolePolicy")["Statement"][0]["Principal"]
    assert principal == {"AWS": "arn:aws:iam::644306948063:role/RH-Managed-OpenShift-Installer"}


def test_both_topologies_side_by_side_when_clusters_use_both():
    stack = run(clusters=[cluster("a"), cluster("b", "classic")])
    assert set(stack.outputs["accountRoleArns"]) == {"hcp", "classic"}
    assert stack.outputs["accountRoleArns"]["classic"]["instance-controlplane"] == (
        f"arn:aws:iam::{ACCOUNT_ID}:role/ManagedOpenShift-ControlPlane-Role"
    )


def test_account_roles_can_be_prepared_before_any_cluster_exists():
    stack = run(accountRoleTopologies=["hcp"], clusters=[])
    assert len(stack.of_type("aws:iam/role:Role")) == 3
    assert stack.outputs["clusters"] == {}


RED_HAT_SIDE = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
}


@pytest.mark.parametrize("topology", ["hcp", "classic"])
def test_red_hat_assumes_the_installer_and_support_roles_only_with_the_external_id(topology):
    """Evaluated as STS would: the trust policy is the role's resource policy, Red Hat's role the caller (its own
    identity policy standing for Red Hat's side); rosa create cluster --external-id sends sts:ExternalId."""
    stack = run(trustExternalId="ext-42", clusters=[cluster("a", topology)])
    red_hat = stack.outputs["accountRoleArns"][topology]
    for slug, caller in (
        ("installer", "arn:aws:iam::710019948333:role/RH-Managed-OpenShift-Installer"),
        ("support", "arn:aws:iam::710019948333:role/RH-Technical-Support-Access"),
    ):
        trust = document(stack, f"account-roles-{topology}-{slug}", "assumeRolePolicy")

        def assume(context, who=caller, trust=trust, role=red_hat[slug]):
            return evaluate([RED_HAT_SIDE], trust, who, "sts:AssumeRole", role, context, resource_account=ACCOUNT_ID)

        assert assume({"sts:ExternalId": "ext-42"}).allowed, slug
        assert not assume({}).allowed, slug
        assert not assume({"sts:ExternalId": "ext-43"}).allowed, slug
        assert not assume({"sts:ExternalId": "ext-42"}, who="arn:aws:iam::999999999999:role/x").allowed, slug
    # The instance roles are EC2's: no external id, and no Red Hat role may assume them.
    worker = document(stack, f"account-roles-{topology}-instance-worker", "assumeRolePolicy")
    installer = "arn:aws:iam::710019948333:role/RH-Managed-OpenShift-Installer"
    decision = evaluate(
        [RED_HAT_SIDE], worker, installer, "sts:AssumeRole", red_hat["instance-worker"], {"sts:ExternalId": "ext-42"},
        resource_account=ACCOUNT_ID,
    )  # fmt: skip
    assert not decision.allowed
    assert "Condition" not in worker["Statement"][0]
