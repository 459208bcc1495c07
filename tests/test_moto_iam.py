"""The rendered IAM graph replayed into moto, read back the way an auditor would.

moto checks policy syntax on create_policy and update_assume_role_policy (not on create_role), and knows AWS's
managed policies with MOTO_IAM_LOAD_MANAGED_POLICIES=true, so attaching a mistyped `ROSA*` ARN fails here. It does
not evaluate trust conditions: those are asserted on the documents themselves in test_operator_roles.py.
"""

import json

import boto3
import pytest
from moto import mock_aws

from render.runtime import render_stack

PRINCIPAL_FREE_BOUNDARY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


@pytest.fixture(scope="module", params=["staging", "prod"])
def account(request, monkeypatch_module):
    monkeypatch_module.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    monkeypatch_module.setenv("AWS_DEFAULT_REGION", "us-east-1")
    render = render_stack(request.param)
    monkeypatch_module.setenv("MOTO_ACCOUNT_ID", render.outputs["accountId"])  # ARNs name the stack's account
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t")
        replay(iam, render)
        yield iam, render


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def replay(iam, render) -> None:
    """Make the IAM calls pulumi-aws would make for the rendered resources."""
    boundaries = {r.inputs.get("permissionsBoundary") for r in render.of_type("aws:iam/role:Role")} - {None}
    for arn in boundaries:  # the boundary policy is the user's, created outside the stack
        path, name = arn.split(":policy", 1)[1].rsplit("/", 1)
        iam.create_policy(PolicyName=name, Path=path + "/", PolicyDocument=json.dumps(PRINCIPAL_FREE_BOUNDARY))
    for policy in render.of_type("aws:iam/policy:Policy"):
        inputs = policy.inputs
        iam.create_policy(
            PolicyName=inputs["name"],
            Path=inputs["path"],
            PolicyDocument=inputs["policy"],
            Tags=[{"Key": k, "Value": v} for k, v in inputs["tags"].items()],
        )
    role_names = {}
    for role in render.of_type("aws:iam/role:Role"):
        inputs = role.inputs
        role_names[role.name] = inputs["name"]
        extra = {"PermissionsBoundary": inputs["permissionsBoundary"]} if "permissionsBoundary" in inputs else {}
        iam.create_role(
            RoleName=inputs["name"],
            Path=inputs["path"],
            AssumeRolePolicyDocument=inputs["assumeRolePolicy"],
            MaxSessionDuration=inputs["maxSessionDuration"],
            Description=inputs["description"],
            Tags=[{"Key": k, "Value": v} for k, v in inputs["tags"].items()],
            **extra,
        )
        # create_role checks nothing; this call runs IAM's trust policy syntax check.
        iam.update_assume_role_policy(RoleName=inputs["name"], PolicyDocument=inputs["assumeRolePolicy"])
    for attachment in render.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment"):
        iam.attach_role_policy(RoleName=attachment.inputs["role"], PolicyArn=attachment.inputs["policyArn"])
    for provider in render.of_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider"):
        inputs = provider.inputs
        iam.create_open_id_connect_provider(
            Url=inputs["url"], ClientIDList=inputs["clientIdLists"], ThumbprintList=inputs.get("thumbprintLists", [])
        )


def test_every_role_reads_back_with_path_session_cap_boundary_and_tags(account):
    iam, render = account
    for role in render.of_type("aws:iam/role:Role"):
        stored = iam.get_role(RoleName=role.inputs["name"])["Role"]
        assert stored["Path"] == role.inputs["path"]
        assert stored["MaxSessionDuration"] == 3600
        assert stored.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn") == role.inputs.get(
            "permissionsBoundary"
        )
        assert {t["Key"]: t["Value"] for t in stored["Tags"]} == role.inputs["tags"]
        assert stored["AssumeRolePolicyDocument"] == json.loads(role.inputs["assumeRolePolicy"])


def test_each_role_has_exactly_its_one_policy_attached(account):
    iam, render = account
    expected = {}
    for attachment in render.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment"):
        expected.setdefault(attachment.inputs["role"], []).append(attachment.inputs["policyArn"])
    for role_name, arns in expected.items():
        attached = iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]
        assert sorted(p["PolicyArn"] for p in attached) == sorted(arns) and len(arns) == 1, role_name


def test_customer_managed_policies_read_back_unchanged(account):
    iam, render = account
    for policy in render.of_type("aws:iam/policy:Policy"):
        arn = f"arn:aws:iam::{render.outputs['accountId']}:policy{policy.inputs['path']}{policy.inputs['name']}"
        version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
        stored = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
        assert stored == json.loads(policy.inputs["policy"])


def test_oidc_providers_read_back_with_rosas_client_ids(account):
    iam, render = account
    providers = iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
    assert len(providers) == len(render.of_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider"))
    for provider in providers:
        stored = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=provider["Arn"])
        assert stored["ClientIDList"] == ["openshift", "sts.amazonaws.com"]


def test_operator_trust_names_a_provider_that_exists(account):
    iam, render = account
    provider_arns = {p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]}
    for role in render.of_type("aws:iam/role:Role"):
        principal = json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]["Principal"]
        if "Federated" in principal:
            assert principal["Federated"] in provider_arns, role.name
