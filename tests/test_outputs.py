"""Stack outputs: every ARN, prefix and OIDC fact, and `rosa create cluster` arguments that use exactly them."""

import shlex

from tests.conftest import ACCOUNT_ID, CONFIG_ID, SUBNET_IDS, cluster, config_id, run


def test_hcp_cluster_gets_ready_rosa_create_cluster_arguments():
    outputs = run(clusters=[cluster("pay", operatorRolePrefix="prod-pay")]).outputs
    summary = outputs["clusters"]["pay"]
    role = f"arn:aws:iam::{ACCOUNT_ID}:role/ManagedOpenShift-HCP-ROSA"
    assert summary["rosaCreateClusterArgs"] == [
        "rosa", "create", "cluster", "--cluster-name", "pay", "--region", "us-east-1", "--hosted-cp",
        "--role-arn", f"{role}-Installer-Role", "--support-role-arn", f"{role}-Support-Role",
        "--worker-iam-role-arn", f"{role}-Worker-Role",
        "--operator-roles-prefix", "prod-pay", "--oidc-config-id", config_id("pay"),
        "--subnet-ids", ",".join(SUBNET_IDS),
        "--kms-key-arn", summary["kmsKeyArns"]["volumes"],
        "--etcd-encryption", "--etcd-encryption-kms-arn", summary["kmsKeyArns"]["etcd"],
    ]  # fmt: skip
    assert shlex.split(summary["rosaCreateClusterCommand"]) == summary["rosaCreateClusterArgs"]


def test_classic_cluster_arguments_add_sts_and_the_control_plane_role():
    args = run(clusters=[cluster("ledger", "classic")]).outputs["clusters"]["ledger"]["rosaCreateClusterArgs"]
    assert "--sts" in args and "--hosted-cp" not in args
    plane = args[args.index("--controlplane-iam-role-arn") + 1]
    assert plane == f"arn:aws:iam::{ACCOUNT_ID}:role/ManagedOpenShift-ControlPlane-Role"


def test_a_self_hosted_cluster_is_ready_to_create_only_once_its_config_is_registered():
    unregistered = run(clusters=[cluster("h", oidc={"mode": "self-hosted"})]).outputs["clusters"]["h"]
    args = unregistered["rosaCreateClusterArgs"]
    assert args[args.index("--oidc-config-id") + 1].startswith("${OIDC_CONFIG_ID_H:?")
    assert unregistered["rosaCreateClusterReady"] is False and unregistered["oidcConfigId"] is None
    registered = run(clusters=[cluster("h", oidc={"mode": "self-hosted", "configId": CONFIG_ID})]).outputs
    summary = registered["clusters"]["h"]
    args = summary["rosaCreateClusterArgs"]
    assert args[args.index("--oidc-config-id") + 1] == CONFIG_ID and summary["rosaCreateClusterReady"] is True


def test_outputs_name_every_role_arn_prefix_and_oidc_fact():
    outputs = run(accountRolePrefix="Acme").outputs
    assert outputs["accountRolePrefix"] == "Acme"
    assert set(outputs["accountRoleArns"]["hcp"]) == {"installer", "support", "instance-worker"}
    summary = outputs["clusters"]["alpha"]
    assert summary["operatorRolePrefix"] == "alpha"
    assert len(summary["operatorRoleArns"]) == 8
    assert (
        summary["oidcProviderArn"] == f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/oidc.op1.openshiftapps.com/{CONFIG_ID}"
    )
    assert summary["oidcIssuerUrl"] == f"https://oidc.op1.openshiftapps.com/{CONFIG_ID}"
    assert summary["oidcConfigId"] == CONFIG_ID
    assert summary["accountRoleArns"] == outputs["accountRoleArns"]["hcp"]


def test_the_provider_refuses_any_account_but_the_configured_one():
    provider = run().named("aws")
    assert provider.type == "pulumi:providers:aws"
    assert provider.inputs["allowedAccountIds"] == f'["{ACCOUNT_ID}"]'
    assert provider.inputs["region"] == "us-east-1"


def test_self_hosted_cluster_gets_the_rosa_register_oidc_config_command_to_run_before_create():
    summary = run(clusters=[cluster("h", oidc={"mode": "self-hosted"})]).outputs["clusters"]["h"]
    installer = f"arn:aws:iam::{ACCOUNT_ID}:role/ManagedOpenShift-HCP-ROSA-Installer-Role"
    assert summary["rosaRegisterOidcConfigArgs"] == [
        "rosa", "register", "oidc-config", "--mode", "manual", "--role-arn", installer,
        "--issuer-url", summary["oidcIssuerUrl"], "--secret-arn", summary["oidcPrivateKeySecretArn"],
    ]  # fmt: skip
    assert shlex.split(summary["rosaRegisterOidcConfigCommand"]) == summary["rosaRegisterOidcConfigArgs"]
    register, then = summary["rosaNextSteps"]
    assert register == summary["rosaRegisterOidcConfigCommand"]
    assert then.startswith("# then set oidc.configId of cluster 'h'") and "rosa create cluster" not in then


def test_once_registered_or_managed_the_next_step_is_rosa_create_cluster():
    registered = run(clusters=[cluster("h", oidc={"mode": "self-hosted", "configId": CONFIG_ID})]).outputs
    assert registered["clusters"]["h"]["rosaNextSteps"] == [registered["clusters"]["h"]["rosaCreateClusterCommand"]]
    managed = run().outputs["clusters"]["alpha"]
    assert managed["rosaRegisterOidcConfigArgs"] is None and managed["rosaRegisterOidcConfigCommand"] is None
    assert managed["rosaNextSteps"] == [managed["rosaCreateClusterCommand"]]
