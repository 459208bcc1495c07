"""An HCP cluster's control-plane log forwarding, audit-log forwarding and AutoNode: who may assume each role and what
each may do, judged by evaluating the rendered documents (tests/iam_evaluation.py), and what rosa is told."""

from __future__ import annotations

import functools
import json
import shlex
from collections.abc import Callable

import pytest

from foundation.catalogue import load_catalogue
from render.runtime import Render
from tests.conftest import ACCOUNT_ID, NAMED_ISSUER, cluster, config_id, document, run
from tests.iam_evaluation import assumable_with_web_identity, evaluate

ISSUER_HOST = "oidc.op1.openshiftapps.com"
LOG_GROUP = "/rosa/alpha/control-plane"
LOG_GROUP_ARN = f"arn:aws:logs:us-east-1:{ACCOUNT_ID}:log-group:{LOG_GROUP}"
CENTRAL_ROLE = load_catalogue().log_forwarding.central_role_arn("aws", "production")
EVERYTHING = {
    "logForwarding": {"cloudwatch": {"retentionDays": 90}, "s3": {"prefix": "alpha/"}},
    "auditLog": True,
    "autoNode": True,
}
LOG_BUCKET = f"alpha-control-plane-logs-{ACCOUNT_ID}"
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


@functools.cache
def two_clusters() -> Render:
    """alpha with all three, beta (its own OIDC config) with AutoNode and audit logs: a neighbour whose tokens must
    not open alpha's roles."""
    return run(clusters=[cluster("alpha", **EVERYTHING), cluster("beta", auditLog=True, autoNode=True)])


def provider(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/{ISSUER_HOST}/{config_id(name)}"


def token(name: str, subject: str, audience: str = "openshift") -> dict[str, str]:
    """The claims STS reads from a service-account token of cluster `name`'s issuer, as condition keys."""
    host = f"{ISSUER_HOST}/{config_id(name)}"
    return {f"{host}:sub": subject, f"{host}:aud": audience}


def role_arn(render: Render, logical: str) -> str:
    inputs = render.named(logical).inputs
    return f"arn:aws:iam::{ACCOUNT_ID}:role{inputs['path']}{inputs['name']}"


# --- who may assume ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "service_account"),
    [
        ("alpha-auto-node-role", "system:serviceaccount:kube-system:karpenter"),
        ("alpha-audit-log-role", "system:serviceaccount:openshift-config-managed:cloudwatch-audit-exporter"),
    ],
)
def test_only_its_service_account_on_its_own_cluster_with_the_openshift_audience_assumes_the_role(
    role, service_account
):
    trust = document(two_clusters(), role, "assumeRolePolicy")
    namespace, name = service_account.rsplit(":", 2)[1:]
    assert assumable_with_web_identity(trust, provider("alpha"), token("alpha", service_account))
    impostors = {
        "another service account in its namespace": token("alpha", f"system:serviceaccount:{namespace}:default"),
        "its name in another namespace": token("alpha", f"system:serviceaccount:workloads:{name}"),
        "another audience": token("alpha", service_account, audience="sts.amazonaws.com"),
    }
    for who, claims in impostors.items():
        assert not assumable_with_web_identity(trust, provider("alpha"), claims), who
    # The same service account on the neighbouring cluster presents beta's issuer.
    assert not assumable_with_web_identity(trust, provider("beta"), token("beta", service_account))


def test_only_red_hats_central_log_distribution_role_assumes_the_log_forwarding_role():
    render = two_clusters()
    trust = document(render, "alpha-log-forwarding-role", "assumeRolePolicy")
    role = role_arn(render, "alpha-log-forwarding-role")

    def assume(caller: str) -> bool:
        """STS's decision: the trust is the role's resource policy, the caller's own side allowing it (its account)."""
        return evaluate([ALLOW_ALL], trust, caller, "sts:AssumeRole", role, resource_account=ACCOUNT_ID).allowed

    assert assume(CENTRAL_ROLE)
    others = (
        CENTRAL_ROLE.replace("ROSA-CentralLogDistributionRole", "ROSA-SomeOtherRole"),
        "arn:aws:iam::710019948333:role/RH-Managed-OpenShift-Installer",  # Red Hat, but not the log forwarder
        f"arn:aws:iam::{ACCOUNT_ID}:role/alpha-kube-system-karpenter",  # a role of this account
    )
    for caller in others:
        assert not assume(caller), caller
    karpenter = token("alpha", "system:serviceaccount:kube-system:karpenter")
    assert not assumable_with_web_identity(trust, provider("alpha"), karpenter)


def test_the_log_forwarding_role_lives_where_red_hats_role_may_assume_it():
    """Red Hat's central role may assume `role/CustomerLogDistribution-*` only: on `/`, whatever the stack's path."""
    render = run(clusters=[cluster("alpha", **EVERYTHING)], iamPath="/rosa/")
    assert (
        role_arn(render, "alpha-log-forwarding-role") == f"arn:aws:iam::{ACCOUNT_ID}:role/CustomerLogDistribution-alpha"
    )
    assert role_arn(render, "alpha-auto-node-role").startswith(f"arn:aws:iam::{ACCOUNT_ID}:role/rosa/")
    assert render.named("alpha-log-forwarding-role").inputs["maxSessionDuration"] == 3600


# --- what each role may do -----------------------------------------------------------------------------------------


def _permissions_of(render: Render, role: str) -> Callable[[str, str], bool]:
    """Whether role `role` (its logical name) may take an action on a resource by its inline policy."""
    policies, arn = [document(render, f"{role}-inline", "policy")], role_arn(render, role)
    return lambda action, resource: evaluate(policies, None, arn, action, resource).allowed


def test_the_log_forwarding_role_writes_its_own_log_group_and_nothing_else():
    may = _permissions_of(two_clusters(), "alpha-log-forwarding-role")
    stream = f"{LOG_GROUP_ARN}:log-stream:kube-apiserver"
    assert may("logs:CreateLogStream", stream) and may("logs:PutLogEvents", stream)
    any_group = f"arn:aws:logs:us-east-1:{ACCOUNT_ID}:log-group:*"
    assert may("logs:DescribeLogStreams", f"{LOG_GROUP_ARN}:*") and may("logs:DescribeLogGroups", any_group)
    elsewhere = (
        f"arn:aws:logs:us-east-1:{ACCOUNT_ID}:log-group:/rosa/beta/control-plane:log-stream:x",
        f"arn:aws:logs:us-west-2:{ACCOUNT_ID}:log-group:{LOG_GROUP}:log-stream:x",
        f"arn:aws:logs:us-east-1:999999999999:log-group:{LOG_GROUP}:log-stream:x",
    )
    for resource in elsewhere:
        assert not may("logs:PutLogEvents", resource), resource
    for action in ("logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DisassociateKmsKey", "logs:CreateLogGroup"):
        assert not may(action, LOG_GROUP_ARN), action


def test_the_audit_role_writes_audit_logs_in_its_region_but_never_the_control_plane_log_group():
    may = _permissions_of(two_clusters(), "alpha-audit-log-role")
    # The exporter makes and names its own log group, and writes it.
    audit = f"arn:aws:logs:us-east-1:{ACCOUNT_ID}:log-group:audit-of-alpha"
    assert may("logs:CreateLogGroup", audit) and may("logs:PutLogEvents", f"{audit}:log-stream:x")
    for action in ("logs:PutLogEvents", "logs:PutRetentionPolicy", "logs:CreateLogStream"):
        assert not may(action, LOG_GROUP_ARN) and not may(action, f"{LOG_GROUP_ARN}:log-stream:x"), action
    assert not may("logs:PutLogEvents", f"arn:aws:logs:eu-west-1:{ACCOUNT_ID}:log-group:audit-of-alpha:log-stream:x")
    assert not may("logs:DeleteLogGroup", audit)


def test_karpenter_may_use_the_volumes_key_through_ec2_and_the_key_policy_says_so():
    render = two_clusters()
    karpenter = role_arn(render, "alpha-auto-node-role")
    key_policy = document(render, "alpha-keys-volumes", "policy")
    key = f"arn:aws:kms:us-east-1:{ACCOUNT_ID}:key/volumes"
    through_ec2 = {"kms:ViaService": "ec2.us-east-1.amazonaws.com", "kms:GrantIsForAWSResource": "true"}
    # The key policy alone admits Karpenter (no identity policy given): its grant is in the key, not only in IAM.
    for action in ("kms:CreateGrant", "kms:Decrypt", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"):
        assert evaluate([], key_policy, karpenter, action, key, through_ec2).allowed, action
    # Not outside EC2, not from another region's EC2, never a grant for anything but an AWS resource.
    assert not evaluate([], key_policy, karpenter, "kms:Decrypt", key).allowed
    assert not evaluate(
        [], key_policy, karpenter, "kms:Decrypt", key, {"kms:ViaService": "ec2.us-west-2.amazonaws.com"}
    ).allowed
    assert not evaluate(
        [], key_policy, karpenter, "kms:CreateGrant", key, {"kms:ViaService": "ec2.us-east-1.amazonaws.com"}
    ).allowed
    # The neighbour's Karpenter is not in alpha's key.
    beta = role_arn(render, "beta-auto-node-role")
    assert not evaluate([], key_policy, beta, "kms:Decrypt", key, through_ec2).allowed


def test_karpenters_policy_is_red_hats_document_as_published():
    catalogue = load_catalogue()
    assert document(two_clusters(), "alpha-auto-node-policy", "policy") == catalogue.hcp_policy(
        catalogue.auto_node.policy
    )


# --- the log group -------------------------------------------------------------------------------------------------


def test_the_log_group_is_protected_encrypted_with_its_own_key_and_kept_the_retention_asked():
    render = two_clusters()
    log_group = render.named("alpha-log-forwarding-log-group")
    assert log_group.inputs["name"] == LOG_GROUP and log_group.inputs["retentionInDays"] == 90
    assert log_group.options["protect"] is True and log_group.options["retainOnDelete"] is True
    key = render.named("alpha-log-forwarding-key-logs")
    assert key.options["protect"] is True and key.inputs["enableKeyRotation"] is True
    (logs,) = [s for s in json.loads(key.inputs["policy"])["Statement"] if s["Sid"] == "CloudWatchLogs"]
    assert logs["Principal"] == {"Service": "logs.us-east-1.amazonaws.com"}
    assert logs["Condition"] == {"StringEquals": {"kms:EncryptionContext:aws:logs:arn": LOG_GROUP_ARN}}
    summary = render.outputs["clusters"]["alpha"]["logForwarding"]["cloudwatch"]
    assert log_group.inputs["kmsKeyId"] == summary["kmsKeyArn"]


def test_only_red_hats_forwarder_writes_the_log_bucket_under_its_prefix_with_the_owners_acl():
    render = two_clusters()
    bucket_policy = document(render, "alpha-log-forwarding-bucket-policy", "policy")
    owned = {"s3:x-amz-acl": "bucket-owner-full-control"}

    def may(caller: str, key: str, context: dict[str, str]) -> bool:
        # Red Hat's side grants its role whatever it likes: the bucket policy is what this account decides.
        resource = f"arn:aws:s3:::{LOG_BUCKET}/{key}"
        return evaluate(
            [ALLOW_ALL], bucket_policy, caller, "s3:PutObject", resource, context, resource_account=ACCOUNT_ID
        ).allowed

    assert may(CENTRAL_ROLE, "alpha/kube-apiserver/2026/11/30/log.gz", owned)
    assert not may(CENTRAL_ROLE, "elsewhere/log.gz", owned)  # outside the prefix
    assert not may(CENTRAL_ROLE, "alpha/log.gz", {})  # without the owner's ACL
    assert not may(CENTRAL_ROLE, "alpha/log.gz", {**owned, "aws:SecureTransport": "false"})
    assert not may("arn:aws:iam::859037107838:role/SomeoneElse", "alpha/log.gz", owned)
    assert not evaluate(
        [ALLOW_ALL], bucket_policy, CENTRAL_ROLE, "s3:GetObject", f"arn:aws:s3:::{LOG_BUCKET}/alpha/log.gz",
        resource_account=ACCOUNT_ID,
    ).allowed  # fmt: skip


def test_the_log_bucket_is_protected_sse_s3_and_expires_the_prefix_after_its_retention():
    render = two_clusters()
    bucket = render.named("alpha-log-forwarding-bucket")
    assert bucket.inputs["bucket"] == LOG_BUCKET and bucket.options["protect"] is True
    assert bucket.inputs["forceDestroy"] is False
    (rule,) = render.named("alpha-log-forwarding-bucket-encryption").inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}  # the only one Red Hat supports
    rules = render.named("alpha-log-forwarding-bucket-lifecycle").inputs["rules"]
    expire = next(r for r in rules if r["id"] == "expire-control-plane-logs")
    assert expire["filter"] == {"prefix": "alpha/"} and expire["expiration"] == {"days": 365}


def test_clusters_without_these_settings_get_none_of_it_and_keep_their_outputs():
    render = run()
    for token_ in ("LogForwarding", "AuditLog", "AutoNode"):
        assert not [r for r in render.resources if r.type.endswith(f":{token_}")]
    summary = render.outputs["clusters"]["alpha"]
    assert not {"logForwarding", "auditLog", "autoNode"} & summary.keys()
    assert not {"--audit-log-arn", "--log-fwd-config"} & set(summary["rosaCreateClusterArgs"])


# --- what rosa is told ---------------------------------------------------------------------------------------------


def test_rosa_creates_the_cluster_with_its_audit_role_and_log_forwarder_then_turns_autonode_on():
    summary = two_clusters().outputs["clusters"]["alpha"]
    args = summary["rosaCreateClusterArgs"]
    assert args[args.index("--audit-log-arn") + 1] == summary["auditLog"]["roleArn"]
    forwarding = summary["logForwarding"]
    assert args[args.index("--log-fwd-config") + 1] == forwarding["configFile"]
    groups = list(load_catalogue().log_forwarding.groups)
    assert forwarding["config"] == {
        "cloudwatch": {
            "cloudwatch_log_role_arn": forwarding["cloudwatch"]["roleArn"],
            "cloudwatch_log_group_name": LOG_GROUP,
            "groups": groups,
        },
        "s3": {"s3_config_bucket_name": LOG_BUCKET, "s3_config_bucket_prefix": "alpha/", "groups": groups},
    }
    # The file is written first, then the cluster created, then AutoNode turned on with Karpenter's role.
    write, create, *after = summary["rosaNextSteps"]
    assert create == summary["rosaCreateClusterCommand"]
    printf, fmt, text, redirect, path = shlex.split(write)
    assert (printf, fmt, redirect, path) == ("printf", "%s\\n", ">", forwarding["configFile"])
    assert json.loads(text) == forwarding["config"]
    edit = summary["autoNode"]["rosaEditClusterArgs"]
    assert edit == [
        *("rosa", "edit", "cluster", "--cluster", "alpha"),
        *("--autonode", "enabled", "--autonode-iam-role-arn", summary["autoNode"]["roleArn"]),
    ]
    assert after == summary["afterCreateClusterCommands"] == [shlex.join(edit)]
    assert forwarding["rosaCreateLogForwarderCommand"] == (
        "rosa create log-forwarder --cluster alpha --log-fwd-config alpha-log-fwd-config.yaml"
    )


def test_log_forwarding_is_refused_where_red_hat_publishes_no_log_distribution_role():
    entry = cluster("alpha", oidc=NAMED_ISSUER, logForwarding={"cloudwatch": {}})
    with pytest.raises(
        Exception, match="publishes the role that delivers control-plane logs for production OCM in aws"
    ):
        run(clusters=[entry], ocmEnvironment="staging")
