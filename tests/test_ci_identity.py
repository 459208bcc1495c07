"""The pipeline's keyless identity: trusted by exactly this repository's promotion workflow on main, allowed what the
stack declares, and never able to escalate. Security properties are judged by evaluating the rendered documents
(`tests/iam_evaluation.py`): the deploy role with its policies and boundary, and a "hijacked" role, any role the
deploy role can write, given `*:*` under the same boundary, which is the most the deploy role could make of it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property

import pytest

from foundation import ci_permissions, pipeline_boundary
from foundation.names import StackNames
from foundation.settings.loading import SettingsError, settings_from_config
from foundation.stack_files import stack_config, stack_file
from render.runtime import Render
from tests.conftest import config, example, run
from tests.iam_evaluation import Document, evaluate

CI = {
    "owner": "acme",
    "repository": "rosa-foundation",
    "repositoryId": 4242,
    "environment": "prod",
    "stateBucket": "acme-state",
}
BOUNDARY = "arn:aws:iam::123456789012:policy/PipelineBoundary"
ADMIN: Document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
FOREIGN_ROLE = "arn:aws:iam::{account}:role/another-team-admin"
FOREIGN_POLICY = "arn:aws:iam::{account}:policy/another-team-policy"
VAULT_WRITES = ("s3:PutLifecycleConfiguration", "s3:PutBucketObjectLockConfiguration", "s3:PutReplicationConfiguration",
                "s3:PutBucketPolicy", "s3:DeleteBucketPolicy")  # fmt: skip
FOREIGN_KEY = "arn:aws:kms:{region}:{account}:key/0000aaaa-0000-0000-0000-000000000000"


@dataclass
class Pipeline:
    """One rendered stack as the evaluator sees its pipeline."""

    render: Render

    @cached_property
    def account(self) -> str:
        return self.render.outputs["accountId"]

    def arn(self, kind: str, inputs) -> str:
        return f"arn:aws:iam::{self.account}:{kind}{inputs.get('path', '/')}{inputs['name']}"

    def role(self, logical: str) -> str:
        return self.arn("role", self.render.named(logical).inputs)

    def policy(self, logical: str) -> str:
        return self.arn("policy", self.render.named(logical).inputs)

    @cached_property
    def deploy(self) -> str:
        return self.role("ci-identity-deploy")

    @cached_property
    def preview(self) -> str:
        return self.role("ci-identity-preview")

    def documents(self, role_logical: str) -> list[Document]:
        """The managed policies of CI role `role_logical` (`ci-identity-deploy-<concern>`)."""
        policies = self.render.of_type("aws:iam/policy:Policy")
        return [json.loads(p.inputs["policy"]) for p in policies if p.name.startswith(f"{role_logical}-")]

    @cached_property
    def boundary(self) -> Document | None:
        """The boundary the stack's roles carry, None where they carry none the render holds (the old pipeline)."""
        boundary = self.render.named("ci-identity-deploy").inputs.get("permissionsBoundary")
        for policy in self.render.of_type("aws:iam/policy:Policy"):
            if boundary and self.arn("policy", policy.inputs) == boundary:
                return json.loads(policy.inputs["policy"])
        return None

    def may(self, who: str, action: str, resource: str, context=None, resource_policy=None, account=None) -> bool:
        """Whether `who` (deploy, preview, or hijacked: any role the deploy role can write, given `*:*`) may."""
        identity = {
            "deploy": (self.deploy, self.documents("ci-identity-deploy")),
            "preview": (self.preview, self.documents("ci-identity-preview")),
            "hijacked": (self.role(self.stack_roles[0]), [ADMIN]),
        }[who]
        decision = evaluate(
            identity[1],
            resource_policy,
            identity[0],
            action,
            resource,
            context or {},
            resource_account=account or self.account,
            boundary=self.boundary,
        )
        return decision.allowed

    @cached_property
    def stack_roles(self) -> list[str]:
        return [r.name for r in self.render.of_type("aws:iam/role:Role") if not r.name.startswith("ci-identity-")]

    def key_policy(self, logical: str) -> Document:
        return json.loads(self.render.named(logical).inputs["policy"])


def _region(render: Render) -> str:
    return render.named("aws").inputs["region"]


def _many(value) -> list:
    return value if isinstance(value, list) else [value]


@pytest.fixture(scope="module", params=["staging", "prod"])
def stack(request) -> Pipeline:
    return Pipeline(example(request.param))


def foreign(template: str, stack: Pipeline) -> str:
    return template.format(account=stack.account, region=_region(stack.render))


# --- trust -------------------------------------------------------------------------------------------------------


def test_off_by_default():
    render = run()
    assert not render.of_type("rosa-foundation:ci:CiIdentity") and render.outputs["ciIdentity"] is None


def test_only_the_promotion_workflow_on_main_of_this_repository_id_assumes_the_roles():
    render = run(ciIdentity=CI, permissionsBoundary=BOUNDARY)
    (deploy,) = json.loads(render.named("ci-identity-deploy").inputs["assumeRolePolicy"])["Statement"]
    assert deploy["Principal"] == {
        "Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    }
    workflow = "job_workflow_ref:acme/rosa-foundation/.github/workflows/promote.yml@refs/heads/main"
    assert deploy["Condition"] == {
        "StringEquals": {
            "token.actions.githubusercontent.com:sub": f"repository_id:4242:environment:prod:{workflow}",
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        }
    }
    (preview,) = json.loads(render.named("ci-identity-preview").inputs["assumeRolePolicy"])["Statement"]
    assert preview["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"] == (
        f"repository_id:4242:environment:prod-preview:{workflow}"
    )
    assert render.named("ci-identity-deploy").inputs["maxSessionDuration"] == 3600


def test_githubs_provider_is_created_protected_or_reused():
    render = run(ciIdentity=CI, permissionsBoundary=BOUNDARY)
    provider = render.named("ci-identity-github")
    assert provider.inputs["url"] == "https://token.actions.githubusercontent.com"
    assert provider.inputs["clientIdLists"] == ["sts.amazonaws.com"] and provider.options["protect"]
    existing = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    reused = run(ciIdentity={**CI, "githubOidcProviderArn": existing}, permissionsBoundary=BOUNDARY)
    assert not [r for r in reused.resources if r.name == "ci-identity-github"]
    assert reused.outputs["ciIdentity"]["oidcProviderArn"] == existing


# --- what the deploy role may do -----------------------------------------------------------------------------------


def test_every_role_of_the_stack_carries_the_boundary_the_stack_creates(stack):
    boundary = stack.render.named("ci-identity-boundary")
    arn = stack.arn("policy", boundary.inputs)
    for role in stack.render.of_type("aws:iam/role:Role"):
        assert role.inputs.get("permissionsBoundary") == arn, role.name


def test_the_deploy_role_may_write_what_the_stack_declares(stack):
    bounded = {"iam:PermissionsBoundary": stack.render.named("ci-identity-deploy").inputs["permissionsBoundary"]}
    for logical in stack.stack_roles:
        role = stack.role(logical)
        assert stack.may("deploy", "iam:CreateRole", role, bounded), role
        assert stack.may("deploy", "iam:UpdateAssumeRolePolicy", role), role
    for attachment in stack.render.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment"):
        if not attachment.name.startswith("ci-identity-"):
            context = {**bounded, "iam:PolicyARN": attachment.inputs["policyArn"]}
            target = next(
                stack.arn("role", r.inputs)
                for r in stack.render.of_type("aws:iam/role:Role")
                if r.inputs["name"] == attachment.inputs["role"]
            )
            assert stack.may("deploy", "iam:AttachRolePolicy", target, context), attachment.name
    for inline in stack.render.of_type("aws:iam/rolePolicy:RolePolicy"):
        target = next(
            stack.arn("role", r.inputs)
            for r in stack.render.of_type("aws:iam/role:Role")
            if r.inputs["name"] == inline.inputs["role"]
        )
        assert stack.may("deploy", "iam:PutRolePolicy", target, bounded), inline.name
    for policy in stack.render.of_type("aws:iam/policy:Policy"):
        if not policy.name.startswith("ci-identity-"):
            assert stack.may("deploy", "iam:CreatePolicyVersion", stack.arn("policy", policy.inputs)), policy.name
    for cluster in stack.render.outputs["clusters"].values():
        provider = cluster["oidcProviderArn"]
        tagged = {"aws:ResourceTag/rosa-foundation:scope": stack.render.outputs["accountRolePrefix"]}
        assert stack.may("deploy", "iam:UpdateOpenIDConnectProviderThumbprint", provider, tagged), provider
    for key in stack.render.of_type("aws:kms/key:Key"):
        policy = stack.key_policy(key.name)
        arn = f"arn:aws:kms:{_region(stack.render)}:{stack.account}:key/{key.name}"
        vault = "backup" in key.name
        assert stack.may("deploy", "kms:PutKeyPolicy", arn, resource_policy=policy) != vault, key.name
        assert stack.may("deploy", "kms:GetKeyPolicy", arn, resource_policy=policy), key.name


def test_the_deploy_role_versions_no_policy_on_the_stacks_path_that_the_stack_does_not_declare(stack):
    """The boundary names the stack's policies by its IAM path, so that it does not grow with every cluster; the
    deploy role's own policy still names each policy, so an undeclared one on the path stays out of its reach."""
    path = stack.render.named("ci-identity-deploy").inputs["path"]
    undeclared = f"arn:aws:iam::{stack.account}:policy{path}SomeoneElses-Policy"
    assert not stack.may("deploy", "iam:CreatePolicyVersion", undeclared)
    assert not stack.may("deploy", "iam:DeletePolicy", undeclared)


# --- what nothing the pipeline touches may do ---------------------------------------------------------------------


def never(stack: Pipeline) -> list[tuple[str, str, dict]]:
    """Requests no principal the deploy role can reach may make: each is outside the stack or weakens it."""
    render, account = stack.render, stack.account
    boundary_arn = render.named("ci-identity-deploy").inputs["permissionsBoundary"]
    requests = [
        ("iam:UpdateAssumeRolePolicy", stack.deploy, {}),
        ("iam:PutRolePolicy", stack.deploy, {"iam:PermissionsBoundary": boundary_arn}),
        ("iam:AttachRolePolicy", stack.preview, {"iam:PermissionsBoundary": boundary_arn}),
        ("iam:DeleteRolePermissionsBoundary", stack.role(stack.stack_roles[0]), {}),
        ("iam:CreatePolicyVersion", boundary_arn, {}),
        ("iam:CreatePolicyVersion", stack.policy("ci-identity-deploy-iam"), {}),
        ("iam:CreateRole", stack.role(stack.stack_roles[0]), {}),
        ("iam:PutRolePolicy", foreign(FOREIGN_ROLE, stack), {}),
        ("iam:UpdateAssumeRolePolicy", foreign(FOREIGN_ROLE, stack), {}),
        ("iam:PassRole", foreign(FOREIGN_ROLE, stack), {}),
        ("iam:CreatePolicyVersion", foreign(FOREIGN_POLICY, stack), {}),
        ("iam:CreateAccessKey", f"arn:aws:iam::{account}:user/someone", {}),
        ("iam:CreateUser", f"arn:aws:iam::{account}:user/someone", {}),
        ("kms:ScheduleKeyDeletion", foreign(FOREIGN_KEY, stack), {}),
    ]
    attach_boundary = {"iam:PolicyARN": boundary_arn, "iam:PermissionsBoundary": boundary_arn}
    requests.append(("iam:AttachRolePolicy", stack.role(stack.stack_roles[0]), attach_boundary))
    for bucket in render.of_type("aws:s3/bucket:Bucket"):
        arn = f"arn:aws:s3:::{bucket.inputs['bucket']}"
        requests.append(("s3:DeleteBucket", arn, {}))
        if "backup" in bucket.name or "vault" in bucket.name:
            for action in VAULT_WRITES:
                requests.append((action, arn, {}))
            requests.append(("s3:DeleteObjectVersion", f"{arn}/daily/x", {}))
    ci = render.outputs["ciIdentity"]
    return [r for r in requests if r[1]] if ci else requests


def test_no_role_the_pipeline_can_write_ever_escapes_the_pipelines_denies(stack):
    """The deploy role, and any role it can create or change given `*:*`: neither can touch the CI identity or the
    boundary, write an unbounded role, policy, user or group, assume, pass or re-trust a role outside the stack,
    delete the stack's buckets, or weaken a backup vault."""
    for who in ("deploy", "hijacked"):
        allowed = [(a, r) for a, r, context in never(stack) if stack.may(who, a, r, context)]
        assert allowed == [], who


def test_no_role_assumes_a_role_outside_the_stack_or_the_ci_identity(stack):
    for target in (foreign(FOREIGN_ROLE, stack), stack.deploy, stack.preview):
        for who in ("deploy", "hijacked"):
            principal = stack.deploy if who == "deploy" else stack.role(stack.stack_roles[0])
            trust = {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}],
            }
            assert not stack.may(who, "sts:AssumeRole", target, resource_policy=trust), (who, target)


def test_a_stack_on_a_path_below_this_stacks_is_out_of_its_pipelines_reach(stack):
    """IAM's `*` matches `/`, so the stack's path pattern (`/rosa/prod/*`) also names a deeper path: another stack's
    there (`/rosa/prod/eu/`), its pipeline's roles and policies included, stays beyond the roles this one can write."""
    path = stack.render.named("ci-identity-deploy").inputs["path"]
    role = f"arn:aws:iam::{stack.account}:role{path}eu/EuOpenShift-github-deploy-eu"
    policy = f"arn:aws:iam::{stack.account}:policy{path}eu/EuOpenShift-github-deploy-eu-iam"
    for who in ("deploy", "hijacked"):
        principal = stack.deploy if who == "deploy" else stack.role(stack.stack_roles[0])
        trust = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}],
        }
        assert not stack.may(who, "sts:AssumeRole", role, resource_policy=trust), who
        for action in pipeline_boundary.ROLE_HANDOVER:
            assert not stack.may(who, action, role), (who, action)
        for action in pipeline_boundary.POLICY_VERSIONS:
            assert not stack.may(who, action, policy), (who, action)
    own = stack.arn(
        "policy",
        next(p for p in stack.render.of_type("aws:iam/policy:Policy") if "-Role-Policy" in p.inputs["name"]).inputs,
    )
    assert stack.may("hijacked", "iam:CreatePolicyVersion", own)


def test_kms_administration_comes_from_each_keys_own_policy_not_a_tag_the_pipeline_sets(stack):
    key = foreign(FOREIGN_KEY, stack)
    root_delegates = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{stack.account}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }
    tagged = {"aws:ResourceTag/rosa-foundation:scope": stack.render.outputs["accountRolePrefix"]}
    for action in ("kms:PutKeyPolicy", "kms:UpdateAlias", "kms:CreateAlias", "kms:EnableKeyRotation"):
        assert not stack.may("deploy", action, key, tagged, root_delegates), action


def test_the_pipeline_reaches_only_this_stacks_state(stack):
    ci = stack.render.outputs["ciIdentity"]
    assert ci
    bucket = (
        "arn:aws:s3:::"
        + next(
            s["Resource"] for s in stack.documents("ci-identity-preview")[0]["Statement"] if s["Sid"] == "StateBucket"
        ).split(":::")[1]
    )
    environment = ci["subject"].split("environment:")[1].split(":")[0]
    own = f"{bucket}/.pulumi/stacks/rosa-foundation/{environment}.json"
    lock = f"{bucket}/.pulumi/locks/organization/rosa-foundation/{environment}/1.json"
    for other in (
        f"{bucket}/.pulumi/stacks/other-project/{environment}.json",
        f"{bucket}/.pulumi/stacks/rosa-foundation/dev.json",
    ):
        for who in ("deploy", "preview", "hijacked"):
            assert not stack.may(who, "s3:GetObject", other), (who, other)
            assert not stack.may(who, "s3:PutObject", other), (who, other)
    assert stack.may("deploy", "s3:PutObject", own) and stack.may("preview", "s3:GetObject", own)
    assert not stack.may("preview", "s3:PutObject", own) and stack.may("preview", "s3:PutObject", lock)
    assert not stack.may("hijacked", "s3:GetObject", own)


def test_issuers_distributions_and_private_keys_are_the_stacks_only(stack):
    other_config = f"arn:aws:iam::{stack.account}:oidc-provider/oidc.op1.openshiftapps.com/{'f' * 32}"
    assert not stack.may("deploy", "iam:CreateOpenIDConnectProvider", other_config)
    other_distribution = f"arn:aws:cloudfront::{stack.account}:distribution/EOTHERTEAM"
    assert not stack.may("deploy", "cloudfront:UpdateDistribution", other_distribution)
    for secret in stack.render.of_type("aws:secretsmanager/secret:Secret"):
        arn = f"arn:aws:secretsmanager:{_region(stack.render)}:{stack.account}:secret:{secret.inputs['name']}-AbCdEf"
        assert not stack.may("deploy", "secretsmanager:GetSecretValue", arn), arn
    for bucket in stack.render.of_type("aws:s3/bucket:Bucket"):
        if "oidc" in bucket.name:
            jwks = f"arn:aws:s3:::{bucket.inputs['bucket']}/keys.json"
            assert stack.may("deploy", "s3:PutObject", jwks) and not stack.may("hijacked", "s3:PutObject", jwks)


# --- sizes and settings --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["prod", "fleet"])
def test_the_pipelines_policies_fit_iams_limits_at_fleet_scale(name):
    names = StackNames(settings_from_config(stack_config(stack_file(name))))
    policies = ci_permissions.deploy_policies(names)
    assert len(policies) <= names.settings.quotas.managed_policies_per_role
    for document in (*policies.values(), pipeline_boundary.boundary_policy(names)):
        assert len(document.to_json()) <= ci_permissions.MANAGED_POLICY_SIZE


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"ciIdentity": {**CI, "owner": "acme corp"}}, "ciIdentity.owner = 'acme corp': must be a GitHub owner name"),
        ({"ciIdentity": {k: v for k, v in CI.items() if k != "environment"}}, "ciIdentity.environment is missing"),
        ({"ciIdentity": {k: v for k, v in CI.items() if k != "repositoryId"}}, "ciIdentity.repositoryId is missing"),
        (
            {"ciIdentity": {**CI, "githubOidcProviderArn": "arn:aws:iam::123456789012:oidc-provider/example.com"}},
            "githubOidcProviderArn",
        ),
        ({"ciIdentity": {**CI, "branch": "main"}}, "ciIdentity.branch: unknown key"),
        ({"ciIdentity": CI, "permissionsBoundary": None}, "permissionsBoundary is missing: rosa-foundation:ciIdentity"),
        (
            {"ciIdentity": CI, "permissionsBoundary": "arn:aws:iam::999999999999:policy/B"},
            "must be in this stack's account 123456789012",
        ),
    ],
)
def test_bad_ci_settings_are_refused_with_key_and_value(settings, expected):
    with pytest.raises(SettingsError) as failure:
        settings_from_config(config(**{"permissionsBoundary": BOUNDARY, **settings}))
    assert expected in str(failure.value)


def test_the_pipeline_creates_and_configures_the_stacks_log_groups_but_never_removes_them(stack):
    """A cluster's control-plane logs: the deploy role makes its log group as declared (key, retention, tags); neither
    it nor any role it can write deletes the group or its streams, drops its retention or its key, or makes a group of
    another name."""
    groups = [
        c["logForwarding"]["cloudwatch"]["logGroupArn"]
        for c in stack.render.outputs["clusters"].values()
        if "logForwarding" in c
    ]
    assert bool(groups) == (stack.render.outputs["accountId"] == "333333333333")  # prod's payments forwards its logs
    for group in groups:
        for action in ("logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:AssociateKmsKey", "logs:TagResource"):
            assert stack.may("deploy", action, group), action
        # CloudWatch Logs authorises these against the group's ARN with a trailing `:*` (CloudWatch Logs User Guide,
        # "Overview of managing access permissions": the bare ARN is for the tagging actions only): both are judged.
        for who in ("deploy", "hijacked"):
            for action in ("logs:DeleteLogGroup", "logs:DeleteRetentionPolicy", "logs:DisassociateKmsKey"):
                for arn in (group, f"{group}:*"):
                    assert not stack.may(who, action, arn), (who, action, arn)
            # The logs themselves: a stream is deleted on its own ARN.
            assert not stack.may(who, "logs:DeleteLogStream", f"{group}:log-stream:kube-apiserver"), who
        other = group.rsplit(":log-group:", 1)[0] + ":log-group:/rosa/someone-else/control-plane"
        assert not stack.may("deploy", "logs:CreateLogGroup", other)
