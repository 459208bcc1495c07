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


def test_an_admin_equivalent_extra_policy_is_refused_by_the_guardrail():
    admin = "arn:aws:iam::aws:policy/AdministratorAccess"
    render = run(**settings(extraPolicyArns={WORKER: [admin]}))
    found = [
        (f.rule, f.resource, f.message)
        for f in evaluate(check.graph_from_resources(resources(render)))
        if f.rule == "no-admin-permissions"
    ]
    assert found == [("no-admin-permissions", "account-roles-hcp-instance-worker-extra-AdministratorAccess",
                      f"attaches {admin}")]  # fmt: skip


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
    ],
    ids=["override-with-ci", "override-unknown-role", "override-admin", "override-partition", "extra-on-workload",
         "extra-twice", "extra-own-policy", "extra-over-quota", "extra-unknown-role"],
)  # fmt: skip
def test_bad_overrides_and_extra_policies_are_refused_with_one_line(extra, expected):
    assert expected in problems(**settings(**extra))
