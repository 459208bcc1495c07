"""The pipeline's keyless identity: trusted by exactly this repository's environment, allowed exactly what the stack
manages (every resource it registers is covered, nothing else is), never able to widen itself."""

from __future__ import annotations

import fnmatch
import json

import pytest

from foundation.settings.loading import SettingsError, settings_from_config
from tests.conftest import config, example, run

CI = {"owner": "acme", "repository": "rosa-foundation", "environment": "prod", "stateBucket": "acme-state"}
# Actions AWS offers no resource to scope by; the only ones allowed on "*".
UNSCOPABLE = {
    "kms:CreateKey",
    "kms:TagResource",
    "kms:ListAliases",
    "ec2:Describe*",
    "cloudfront:CreateOriginAccessControl",
}


def statements(render, concern: str) -> dict[str, dict]:
    document = json.loads(render.named(f"ci-identity-deploy-{concern}").inputs["policy"])
    return {s["Sid"]: s for s in document["Statement"]}


def all_statements(render) -> list[dict]:
    return [s for r in render.of_type("aws:iam/policy:Policy") if r.name.startswith("ci-identity-")
            for s in json.loads(r.inputs["policy"])["Statement"]]  # fmt: skip


def many(value) -> list:
    return value if isinstance(value, list) else [value]


def covered(arn: str, statement: dict) -> bool:
    return any(fnmatch.fnmatchcase(arn, pattern) for pattern in many(statement["Resource"]))


@pytest.fixture(scope="module", params=["staging", "prod"])
def stack(request):
    return example(request.param)


def test_off_by_default():
    render = run()
    assert not render.of_type("rosa-foundation:ci:CiIdentity") and render.outputs["ciIdentity"] is None


def test_deploy_role_trusts_only_this_repository_environment_and_the_sts_audience():
    render = run(ciIdentity=CI)
    (deploy,) = json.loads(render.named("ci-identity-deploy").inputs["assumeRolePolicy"])["Statement"]
    assert deploy["Principal"] == {
        "Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    }
    assert deploy["Condition"] == {
        "StringEquals": {
            "token.actions.githubusercontent.com:sub": "repo:acme/rosa-foundation:environment:prod",
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        }
    }
    (preview,) = json.loads(render.named("ci-identity-preview").inputs["assumeRolePolicy"])["Statement"]
    assert preview["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"] == (
        "repo:acme/rosa-foundation:environment:prod-preview"
    )
    assert render.named("ci-identity-deploy").inputs["maxSessionDuration"] == 3600


def test_githubs_provider_is_created_protected_or_reused():
    render = run(ciIdentity=CI)
    provider = render.named("ci-identity-github")
    assert provider.inputs["url"] == "https://token.actions.githubusercontent.com"
    assert provider.inputs["clientIdLists"] == ["sts.amazonaws.com"] and provider.options["protect"]
    existing = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    reused = run(ciIdentity={**CI, "githubOidcProviderArn": existing})
    assert not [r for r in reused.resources if r.name == "ci-identity-github"]
    assert reused.outputs["ciIdentity"]["oidcProviderArn"] == existing


def test_the_deploy_role_may_write_every_role_policy_bucket_and_issuer_the_stack_manages(stack):
    iam_rules, storage = statements(stack, "iam"), statements(stack, "storage")
    for role in stack.of_type("aws:iam/role:Role"):
        arn = f"arn:aws:iam::{stack.outputs['accountId']}:role{role.inputs['path']}{role.inputs['name']}"
        if role.name.startswith("ci-identity-"):
            assert covered(arn, iam_rules["NeverTheCiIdentity"]), role.name
        else:
            assert covered(arn, iam_rules["CreateStackRoles"]) and covered(arn, iam_rules["WriteStackRoles"]), arn
    for policy in stack.of_type("aws:iam/policy:Policy"):
        arn = f"arn:aws:iam::{stack.outputs['accountId']}:policy{policy.inputs['path']}{policy.inputs['name']}"
        assert covered(arn, iam_rules["StackPolicies"]), arn
    attachable = many(iam_rules["AttachStackPolicies"]["Condition"]["ArnLike"]["iam:PolicyARN"])
    for attachment in stack.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment"):
        if not attachment.name.startswith("ci-identity-"):
            assert any(fnmatch.fnmatchcase(attachment.inputs["policyArn"], p) for p in attachable), attachment.name
    for bucket in stack.of_type("aws:s3/bucket:Bucket"):
        assert covered(f"arn:aws:s3:::{bucket.inputs['bucket']}", storage["StackBuckets"]), bucket.name
    for cluster in stack.outputs["clusters"].values():
        provider = cluster["oidcProviderArn"] or ""
        if "cloudfront" not in provider:
            assert covered(provider, iam_rules["ClusterIssuers"]), provider


def test_the_deploy_role_reaches_the_stacks_keys_and_security_groups_only(stack):
    keys = statements(stack, "keys")
    scope = keys["StackKeys"]["Condition"]["StringEquals"]
    for key in stack.of_type("aws:kms/key:Key"):
        assert {f"aws:ResourceTag/{k}": v for k, v in key.inputs["tags"].items()}.items() >= scope.items(), key.name
    network = statements(stack, "network")
    vpcs = set(many(network["CreateGroupsInStackVpcs"]["Resource"]))
    group_scope = network["StackGroupsOnly"]["Condition"]["StringEquals"]
    for group in stack.of_type("aws:ec2/securityGroup:SecurityGroup"):
        assert any(a.endswith(f":vpc/{group.inputs['vpcId']}") for a in vpcs), group.name
        assert {f"aws:ResourceTag/{k}": v for k, v in group.inputs["tags"].items()}.items() >= group_scope.items()


def test_nothing_but_unscopable_actions_is_allowed_on_everything(stack):
    for statement in all_statements(stack):
        if statement["Effect"] == "Allow" and "*" in many(statement["Resource"]):
            assert set(many(statement["Action"])) <= UNSCOPABLE, statement["Sid"]
            if "kms:CreateKey" in many(statement["Action"]):
                assert "aws:RequestTag/rosa-foundation:scope" in statement["Condition"]["StringEquals"]


def test_the_pipeline_can_neither_change_its_own_identity_nor_destroy_data(stack):
    never = {s["Sid"]: s for s in all_statements(stack) if s["Effect"] == "Deny"}
    ci_roles = {r.inputs["name"] for r in stack.of_type("aws:iam/role:Role") if r.name.startswith("ci-identity-")}
    assert {a.split("/")[-1] for a in many(never["NeverTheCiIdentity"]["Resource"]) if ":role/" in a} == ci_roles
    assert set(many(never["NeverDestroyData"]["Action"])) >= {"s3:DeleteBucket", "kms:ScheduleKeyDeletion"}


def test_the_pipeline_can_read_everything_it_deploys_so_its_refreshed_verification_works(stack):
    """`pulumi preview --refresh` reads every resource, the CI identity included: no Deny may refuse a read."""
    for statement in all_statements(stack):
        if statement["Effect"] == "Deny":
            reads = [a for a in many(statement["Action"]) if a.split(":")[1].startswith(("Get", "List", "Describe"))]
            assert not reads and "iam:*" not in many(statement["Action"]), statement["Sid"]
    read_roles = statements(stack, "iam")["ReadStackRoles"]
    for role in stack.of_type("aws:iam/role:Role"):
        if role.name.startswith("ci-identity-"):
            arn = f"arn:aws:iam::{stack.outputs['accountId']}:role{role.inputs['path']}{role.inputs['name']}"
            assert covered(arn, read_roles), arn
    github = statements(stack, "iam")["ReadGitHubIssuer"]
    assert covered(stack.outputs["ciIdentity"]["oidcProviderArn"], github)


def test_roles_are_created_only_under_the_stacks_boundary():
    prod = example("prod")
    create = statements(prod, "iam")["CreateStackRoles"]
    boundary = "arn:aws:iam::333333333333:policy/rosa/prod/RosaPermissionsBoundary"
    assert create["Condition"] == {"StringEquals": {"iam:PermissionsBoundary": boundary}}


def test_each_deploy_policy_fits_iams_managed_policy_size(stack):
    for policy in stack.of_type("aws:iam/policy:Policy"):
        if policy.name.startswith("ci-identity-"):
            assert len(policy.inputs["policy"]) <= 6144, policy.name


def test_preview_role_reads_state_and_writes_only_locks():
    render = run(ciIdentity=CI)
    state = {s["Sid"]: s for s in json.loads(render.named("ci-identity-preview-state").inputs["policy"])["Statement"]}
    assert state["WriteState"]["Resource"] == "arn:aws:s3:::acme-state/.pulumi/locks/*"
    assert state["ReadState"]["Resource"] == "arn:aws:s3:::acme-state/.pulumi/*"


@pytest.mark.parametrize(
    ("ci", "expected"),
    [
        ({**CI, "owner": "acme corp"}, "ciIdentity.owner = 'acme corp': must be a GitHub owner name"),
        ({k: v for k, v in CI.items() if k != "environment"}, "ciIdentity.environment is missing"),
        (
            {**CI, "githubOidcProviderArn": "arn:aws:iam::123456789012:oidc-provider/example.com"},
            "githubOidcProviderArn",
        ),
        ({**CI, "branch": "main"}, "ciIdentity.branch: unknown key"),
    ],
)
def test_bad_ci_settings_are_refused_with_key_and_value(ci, expected):
    with pytest.raises(SettingsError) as failure:
        settings_from_config(config(ciIdentity=ci))
    assert expected in str(failure.value)
