"""Per-role permissions boundaries (`permissionsBoundaryOverrides`) and the policies ROSA's own roles carry beside
theirs (`extraPolicyArns`, what `rosa attach policy` does): both reach the render and the IAM-aware diff, the
pipeline's boundary is never escaped, and an admin-equivalent extra policy is refused by the no-admin guardrail."""

from __future__ import annotations

import pytest

from foundation.settings.loading import SettingsError, settings_from_config
from policies import check
from policies.runner import evaluate
from render import diff
from tests.conftest import ACCOUNT_ID, cluster, config, run

STACK_BOUNDARY = f"arn:aws:iam::{ACCOUNT_ID}:policy/StackBoundary"
TIGHTER = f"arn:aws:iam::{ACCOUNT_ID}:policy/AppBoundary"
S3_APP = {
    "namespace": "app",
    "serviceAccount": "api",
    "statements": [{"actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::app/*"]}],
}
SSM_CORE = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
WORKER = "account-role/hcp/instance-worker"
INGRESS = "cluster/alpha/operator-role/openshift-ingress-operator/cloud-credentials"
OTHER_ACCOUNTS = "arn:aws:iam::999999999999:policy/Shared"
CI_POLICY = f"arn:aws:iam::{ACCOUNT_ID}:policy/ManagedOpenShift-github-deploy-dev-iam"  # the deploy role's, for env dev
CI = {"owner": "acme", "repository": "rosa-foundation", "repositoryId": 4242, "environment": "dev"}


def settings(**extra):
    return {"permissionsBoundary": STACK_BOUNDARY, "clusters": [cluster(workloadRoles=[S3_APP])], **extra}


def resources(render) -> list[dict]:
    return [r.to_json() for r in render.resources]


def test_an_override_is_the_roles_boundary_and_every_other_role_keeps_the_stacks():
    render = run(**settings(permissionsBoundaryOverrides={"cluster/alpha/workload-role/app/api": TIGHTER}))
    boundaries = {r.name: r.inputs.get("permissionsBoundary") for r in render.of_type("aws:iam/role:Role")}
    assert boundaries.pop("alpha-workload-roles-app-api") == TIGHTER
    assert set(boundaries.values()) == {STACK_BOUNDARY}


def test_an_override_shows_in_the_diff_as_the_roles_new_boundary():
    before = run(**settings())
    after = run(**settings(permissionsBoundaryOverrides={"account-role/hcp/installer": TIGHTER}))
    result = diff.diff_renders(resources(before), resources(after), "test", "base")
    (change,) = result.resources
    assert change.name == "account-roles-hcp-installer"
    assert change.inputs == {"permissionsBoundary": (STACK_BOUNDARY, TIGHTER)}
    assert f"`permissionsBoundary`: `{STACK_BOUNDARY}` → `{TIGHTER}`" in diff.markdown(result)


def test_extra_policies_are_attached_to_rosas_roles_beside_their_own_and_shown_in_the_diff():
    extras = {WORKER: [SSM_CORE], INGRESS: [f"arn:aws:iam::{ACCOUNT_ID}:policy/IngressExtra"]}
    before, after = run(**settings()), run(**settings(extraPolicyArns=extras))
    worker = after.named(f"account-roles-hcp-instance-worker-extra-{SSM_CORE.rsplit('/', 1)[1]}")
    assert worker.inputs["policyArn"] == SSM_CORE and worker.parent == "account-roles-hcp-instance-worker"
    ingress = after.named("alpha-operator-roles-openshift-ingress-operator-cloud-credentials-extra-IngressExtra")
    assert ingress.inputs["role"] == "alpha-openshift-ingress-operator-cloud-credentials"
    result = diff.diff_renders(resources(before), resources(after), "test", "base")
    added = {c.name: c.inputs for c in result.resources if c.change == "added"}
    assert added[worker.name]["policyArn"] == (None, SSM_CORE)
    assert f"`policyArn`: `{SSM_CORE}`" in diff.markdown(result)


def admin_findings(resources_: list[dict]) -> list[tuple[str, str]]:
    graph = check.graph_from_resources(resources_)
    return [(f.resource, f.message) for f in evaluate(graph) if f.rule == "no-admin-permissions"]


@pytest.mark.parametrize("policy", ["AdministratorAccess", "IAMFullAccess", "PowerUserAccess"])
def test_an_admin_equivalent_extra_policy_is_refused_by_the_settings_and_by_the_guardrail(policy):
    admin = f"arn:aws:iam::aws:policy/{policy}"
    assert f"rosa-foundation:extraPolicyArns.{WORKER}[0] = '{admin}': AWS's {policy} hands over the account" in (
        problems(extraPolicyArns={WORKER: [admin]})
    )
    # A render that got past the settings (an edited plan, another program) meets the guardrail.
    rendered = resources(run(**settings(extraPolicyArns={WORKER: [SSM_CORE]})))
    attachment = next(r for r in rendered if r["name"].endswith("-extra-AmazonSSMManagedInstanceCore"))
    attachment["inputs"]["policyArn"] = admin
    assert admin_findings(rendered) == [(attachment["name"], f"attaches {admin}")]


def test_the_guardrail_refuses_a_permissions_boundary_attached_as_a_roles_policy():
    """A boundary is a ceiling that allows everything below its denies: attached as a policy, it grants all of it."""
    rendered = resources(run(**settings(extraPolicyArns={WORKER: [SSM_CORE]})))
    attachment = next(r for r in rendered if r["name"] == "account-roles-hcp-instance-worker-extra-"
                      "AmazonSSMManagedInstanceCore")  # fmt: skip
    attachment["inputs"]["policyArn"] = STACK_BOUNDARY
    assert admin_findings(rendered) == [
        (attachment["name"], f"attaches {STACK_BOUNDARY}, a permissions boundary, as a policy")
    ]


def problems(**settings_) -> str:
    with pytest.raises(SettingsError) as failure:
        settings_from_config(config(**settings_))
    return str(failure.value)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"permissionsBoundaryOverrides": {"cluster/alpha/workload-role/app/api": TIGHTER}, "ciIdentity": CI},
         "rosa-foundation:permissionsBoundaryOverrides.cluster/alpha/workload-role/app/api = "
         f"'{TIGHTER}': with rosa-foundation:ciIdentity every role carries the pipeline's boundary"),
        ({"permissionsBoundaryOverrides": {"cluster/alpha/workload-role/app/web": TIGHTER}},
         "rosa-foundation:permissionsBoundaryOverrides.cluster/alpha/workload-role/app/web: no role of this stack "
         "has that key; its role keys: account-role/hcp/installer"),
        ({"permissionsBoundaryOverrides": {WORKER: "arn:aws:iam::aws:policy/AdministratorAccess"}},
         "a boundary of AdministratorAccess lifts every ceiling"),
        ({"permissionsBoundaryOverrides": {WORKER: "arn:aws-us-gov:iam::aws:policy/B"}},
         "the ARN must be in this stack's partition 'aws'"),
        ({"extraPolicyArns": {"cluster/alpha/workload-role/app/api": [SSM_CORE]}},
         "rosa-foundation:extraPolicyArns.cluster/alpha/workload-role/app/api: extra policies go on ROSA's account and "
         "operator roles only"),
        ({"extraPolicyArns": {WORKER: [SSM_CORE, SSM_CORE]}},
         f"rosa-foundation:extraPolicyArns.{WORKER}[1] = '{SSM_CORE}': a policy named 'AmazonSSMManagedInstanceCore' "
         "is already listed"),
        ({"extraPolicyArns": {WORKER: ["arn:aws:iam::aws:policy/service-role/ROSAWorkerInstancePolicy"]}},
         "already the role's own policy"),
        ({"extraPolicyArns": {WORKER: [f"arn:aws:iam::aws:policy/P{i}" for i in range(10)]}},
         f"rosa-foundation:extraPolicyArns.{WORKER}: 10 policies beside the role's own 1, over the quota of 10"),
        ({"extraPolicyArns": {"account-role/hcp/nobody": [SSM_CORE]}}, "no role of this stack has that key"),
        ({"extraPolicyArns": {WORKER: [OTHER_ACCOUNTS]}},
         f"rosa-foundation:extraPolicyArns.{WORKER}[0] = '{OTHER_ACCOUNTS}': a customer managed policy of account "
         f"999999999999; IAM attaches only AWS managed policies (account 'aws') and policies of the role's own account "
         f"{ACCOUNT_ID}"),
        ({"permissionsBoundaryOverrides": {WORKER: OTHER_ACCOUNTS}},
         f"rosa-foundation:permissionsBoundaryOverrides.{WORKER} = '{OTHER_ACCOUNTS}': a customer managed policy of "
         "account 999999999999"),
        ({"clusters": [cluster(workloadRoles=[{**S3_APP, "managedPolicyArns": [OTHER_ACCOUNTS]}])]},
         f"rosa-foundation:clusters[0].workloadRoles[0].managedPolicyArns[0] = '{OTHER_ACCOUNTS}': a customer managed "
         "policy of account 999999999999"),
        ({"extraPolicyArns": {WORKER: [STACK_BOUNDARY]}},
         f"rosa-foundation:extraPolicyArns.{WORKER}[0] = '{STACK_BOUNDARY}': a permissions boundary of this stack's "
         "roles; a boundary is a ceiling, and attached as a policy it grants everything below its denies"),
        ({"permissionsBoundaryOverrides": {"account-role/hcp/installer": TIGHTER},
          "extraPolicyArns": {WORKER: [TIGHTER]}},
         f"rosa-foundation:extraPolicyArns.{WORKER}[0] = '{TIGHTER}': a permissions boundary of this stack's roles"),
        ({"clusters": [cluster(workloadRoles=[{**S3_APP, "managedPolicyArns": [STACK_BOUNDARY]}])]},
         "rosa-foundation:clusters[0].workloadRoles[0].managedPolicyArns[0] = "
         f"'{STACK_BOUNDARY}': a permissions boundary of this stack's roles"),
        ({"ciIdentity": CI, "extraPolicyArns": {WORKER: [CI_POLICY]}},
         "a policy of the pipeline's own CI roles, which no role of the stack may hold"),
    ],
    ids=["override-with-ci", "override-unknown-role", "override-admin", "override-partition", "extra-on-workload",
         "extra-twice", "extra-own-policy", "extra-over-quota", "extra-unknown-role", "extra-another-account",
         "override-another-account", "workload-policy-another-account", "extra-the-stacks-boundary",
         "extra-an-overrides-boundary", "workload-policy-the-stacks-boundary", "extra-a-ci-policy"],
)  # fmt: skip
def test_bad_overrides_and_extra_policies_are_refused_with_one_line(extra, expected):
    assert expected in problems(**settings(**extra))
