"""The OCM role and user roles, as `rosa create ocm-role` and `rosa create user-role` make them.

Expected values are read from openshift/rosa at d80ba251c0ddf8c8b67716ea7de0a12ce4fc4af3 (data/SOURCES.md):
- names: `pkg/aws/helpers.go` `GetOCMRoleName` (`<prefix>-OCM-Role-<org external id>`), `GetUserRoleName`
  (`<prefix>-User-<username>-Role`), both cut to 64 by ocm-common `TruncateRoleName`; `GetPolicyName`,
  `GetAdminPolicyName`, `GetNoConsolePolicyName` (`<role>-Policy`, `-Admin-Policy`, `-NoConsole-Policy`, uncut);
  role types `OCM` and `User` (`pkg/aws/policies.go` `OCMRole`, `OCMUserRole`);
- tags: `pkg/aws/tags/tags.go` and `internal/ocmrole/core.go` `CreateRolesInternal` (role and policies:
  `rosa_role_prefix`, `rosa_role_type`, `rosa_environment`, `red-hat-managed`; `rosa_admin_role` /
  `rosa_no_console_role` on the role and on the admin / no-console policy only), `cmd/create/userrole/cmd.go`
  `createRoles`;
- profiles: `internal/ocmrole/core.go` (standard: `sts_ocm_permission_policy`; admin: it and
  `sts_ocm_admin_permission_policy`; no-console: `sts_ocm_no_console_permission_policy` alone);
- trust: the `sts_ocm_trust_policy` template filled in with `aws_account_id` = `GetJumpAccount(env)` and
  `ocm_organization_id` = the organisation's id (`GetCurrentOrganization`'s first value, not its external id), and
  `sts_ocm_user_trust_policy` with `ocm_account_id` = the user's OCM account id; `InterpolatePolicyDocument` then
  puts the partition into every `arn:aws:`;
- link commands: `cmd/link/ocmrole/cmd.go` (`--role-arn`, `--organization-id`), `cmd/link/userrole/cmd.go`
  (`--role-arn`, `--account-id`).
"""

from __future__ import annotations

import json
import shlex
from typing import Any

import pytest

from foundation import ci_permissions, pipeline_boundary
from foundation.catalogue import load_catalogue
from foundation.iam import listed
from foundation.names import StackNames
from foundation.settings.loading import SettingsError, settings_from_config
from tests.conftest import ACCOUNT_ID, config, document, run
from tests.iam_evaluation import evaluate
from tests.test_ci_identity import BOUNDARY, CI, Pipeline

ORG_ID, ORG_EXTERNAL_ID = "1a2B3c4D5e6F7g8H9i0JkLmNoPq", "16502874"
ALICE, ALICE_ID = "alice", "2Kf7eA9vNqT3mXcR8wLpY5sHdBu"
BOB, BOB_ID = "bob.smith", "2Kf7eJ4rWzP6nVbQ1tMxC8yGhSk"
USERS = [{"ocmUsername": ALICE, "ocmAccountId": ALICE_ID}, {"ocmUsername": BOB, "ocmAccountId": BOB_ID}]
RED_HAT_INSTALLER = "arn:aws:iam::710019948333:role/RH-Managed-OpenShift-Installer"  # production, partition aws
RED_HAT_SIDE = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
}
POLICY_FILES = {"standard": "sts_ocm_permission_policy", "admin": "sts_ocm_admin_permission_policy",
                "no-console": "sts_ocm_no_console_permission_policy"}  # fmt: skip


def ocm_role(profile: str = "standard") -> dict[str, str]:
    return {"organizationId": ORG_ID, "organizationExternalId": ORG_EXTERNAL_ID, "profile": profile}


def policies_of(render, role_name: str) -> dict[str, Any]:
    """The customer-managed policies attached to `role_name`, by policy name, as rendered inputs."""
    arns = {a.inputs["policyArn"] for a in render.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
            if a.inputs["role"] == role_name}  # fmt: skip
    return {
        p.inputs["name"]: p.inputs
        for p in render.of_type("aws:iam/policy:Policy")
        if f"arn:aws:iam::{ACCOUNT_ID}:policy{p.inputs['path']}{p.inputs['name']}" in arns
    }


@pytest.fixture(scope="module")
def admin_stack():
    return run(accountRolePrefix="Acme", ocmRole=ocm_role("admin"), userRoles=USERS)


# --- names, tags and policies --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "profile_tag", "policies"),
    [
        ("standard", None, {"Acme-OCM-Role-16502874-Policy": "standard"}),
        ("admin", "rosa_admin_role", {"Acme-OCM-Role-16502874-Policy": "standard",
                                      "Acme-OCM-Role-16502874-Admin-Policy": "admin"}),
        ("no-console", "rosa_no_console_role", {"Acme-OCM-Role-16502874-NoConsole-Policy": "no-console"}),
    ],
)  # fmt: skip
def test_each_profile_makes_the_role_and_policies_rosa_makes_with_rosas_tags(profile, profile_tag, policies):
    render = run(
        accountRolePrefix="Acme",
        ocmRole=ocm_role(profile),
        ocmEnvironment="staging",
        clusters=[],
        accountRoleTopologies=["hcp"],
    )
    role = render.named("ocm-roles-ocm-role").inputs
    assert role["name"] == "Acme-OCM-Role-16502874" and role["maxSessionDuration"] == 3600
    base = {"red-hat-managed": "true", "rosa_role_prefix": "Acme", "rosa_role_type": "OCM",
            "rosa_environment": "staging"}  # fmt: skip
    assert role["tags"] == base | ({profile_tag: "true"} if profile_tag else {})
    attached = policies_of(render, role["name"])
    assert {name: _slug(inputs) for name, inputs in attached.items()} == policies
    for name, inputs in attached.items():
        own_tag = profile_tag and policies[name] == profile  # the profile's own policy carries its tag
        assert inputs["tags"] == base | ({profile_tag: "true"} if own_tag else {}), name


def _slug(policy_inputs: dict[str, Any]) -> str:
    """Which of Red Hat's OCM documents (`POLICY_FILES`) a policy holds."""
    document = json.loads(policy_inputs["policy"])
    (slug,) = [slug for slug, file in POLICY_FILES.items() if load_catalogue().ocm_policy(file) == document]
    return slug


def test_the_permission_documents_are_red_hats_unchanged_and_the_same_for_every_openshift_version(
    admin_stack, reference_dir
):
    """rosa takes the OCM role's documents from OCM (`GetPolicies("OCMRole")`), not per OpenShift version: the
    reference publishes one copy per minor version, and they must all be the one vendored here."""
    rendered = {json.dumps(json.loads(p["policy"]), sort_keys=True)
                for p in policies_of(admin_stack, "Acme-OCM-Role-16502874").values()}  # fmt: skip
    no_console = run(ocmRole=ocm_role("no-console"))
    rendered |= {json.dumps(json.loads(p["policy"]), sort_keys=True)
                 for p in policies_of(no_console, "ManagedOpenShift-OCM-Role-16502874").values()}  # fmt: skip
    for version in sorted(p.name for p in (reference_dir / "policies" / "sts").iterdir()):
        published = {
            json.dumps(json.loads((reference_dir / "policies" / "sts" / version / f"{f}.json").read_text()),
                       sort_keys=True)
            for f in POLICY_FILES.values()
        }  # fmt: skip
        assert rendered == published, version


def test_user_roles_are_named_and_tagged_as_rosa_does_and_hold_no_permissions(admin_stack):
    for logical, username in (("ocm-roles-user-alice", ALICE), ("ocm-roles-user-bob.smith", BOB)):
        role = admin_stack.named(logical).inputs
        assert role["name"] == f"Acme-User-{username}-Role"
        assert role["tags"] == {"red-hat-managed": "true", "rosa_role_prefix": "Acme", "rosa_role_type": "User",
                                "rosa_environment": "production"}  # fmt: skip
        assert policies_of(admin_stack, role["name"]) == {} and not role.get("inlinePolicies")


def test_names_are_cut_to_64_as_rosa_cuts_them_the_policy_suffix_never():
    prefix = "P" * 32
    render = run(accountRolePrefix=prefix, ocmRole=ocm_role("no-console") | {"organizationExternalId": "9" * 30},
                 userRoles=[{"ocmUsername": "u" * 40, "ocmAccountId": ALICE_ID}])  # fmt: skip
    role = render.named("ocm-roles-ocm-role").inputs["name"]
    assert role == f"{prefix}-OCM-Role-{'9' * 30}"[:64] and len(role) == 64
    assert list(policies_of(render, role)) == [f"{role}-NoConsole-Policy"]
    assert render.named(f"ocm-roles-user-{'u' * 40}").inputs["name"] == f"{prefix}-User-{'u' * 40}-Role"[:64]


def test_the_roles_take_the_stacks_path_boundary_and_user_tags():
    boundary = f"arn:aws:iam::{ACCOUNT_ID}:policy/Boundary"
    render = run(iamPath="/rosa/", permissionsBoundary=boundary, tags={"team": "platform"}, ocmRole=ocm_role(),
                 userRoles=USERS[:1])  # fmt: skip
    for logical in ("ocm-roles-ocm-role", "ocm-roles-user-alice"):
        role = render.named(logical).inputs
        assert (role["path"], role["permissionsBoundary"]) == ("/rosa/", boundary), logical
    (policy,) = policies_of(render, "ManagedOpenShift-OCM-Role-16502874").values()
    assert policy["path"] == "/rosa/"


# --- trust ---------------------------------------------------------------------------------------------------------


def _assume(trust: dict, role_arn: str, context: dict[str, str], who: str = RED_HAT_INSTALLER) -> bool:
    """STS's decision: the trust is the role's resource policy, Red Hat's role the caller from its own account."""
    return evaluate(
        [RED_HAT_SIDE], trust, who, "sts:AssumeRole", role_arn, context, resource_account=ACCOUNT_ID
    ).allowed


def test_red_hats_installer_assumes_the_ocm_role_only_with_the_organisations_id(admin_stack):
    trust = document(admin_stack, "ocm-roles-ocm-role", "assumeRolePolicy")
    arn = admin_stack.outputs["ocmRoles"]["ocmRole"]["roleArn"]
    assert _assume(trust, arn, {"sts:ExternalId": ORG_ID})
    assert not _assume(trust, arn, {})
    assert not _assume(trust, arn, {"sts:ExternalId": ORG_EXTERNAL_ID})  # the external id names the role, no more
    assert not _assume(trust, arn, {"sts:ExternalId": ALICE_ID})
    for other in ("arn:aws:iam::644306948063:role/RH-Managed-OpenShift-Installer",  # staging OCM
                  "arn:aws:iam::710019948333:role/RH-Technical-Support-Access",
                  "arn:aws:iam::999999999999:role/RH-Managed-OpenShift-Installer"):  # fmt: skip
        assert not _assume(trust, arn, {"sts:ExternalId": ORG_ID}, who=other), other


def test_red_hats_installer_assumes_a_user_role_only_with_that_users_ocm_account_id(admin_stack):
    for username, account_id, other_id in ((ALICE, ALICE_ID, BOB_ID), (BOB, BOB_ID, ALICE_ID)):
        trust = document(admin_stack, f"ocm-roles-user-{username}", "assumeRolePolicy")
        arn = admin_stack.outputs["ocmRoles"]["userRoles"][username]["roleArn"]
        assert _assume(trust, arn, {"sts:ExternalId": account_id}), username
        for context in ({}, {"sts:ExternalId": other_id}, {"sts:ExternalId": ORG_ID}):
            assert not _assume(trust, arn, context), (username, context)


@pytest.mark.parametrize(
    ("settings", "jump_account", "partition"),
    [
        ({}, "710019948333", "aws"),
        ({"ocmEnvironment": "staging"}, "644306948063", "aws"),
        ({"region": "us-gov-west-1", "partition": "aws-us-gov"}, "448648337690", "aws-us-gov"),
    ],
)
def test_trusts_are_red_hats_templates_filled_in_as_rosa_fills_them(reference_dir, settings, jump_account, partition):
    render = run(clusters=[], accountRoleTopologies=["hcp"], ocmRole=ocm_role(), userRoles=USERS[:1], **settings)
    templates = reference_dir / "policies" / "sts" / "4.22"
    for logical, template, values in (
        ("ocm-roles-ocm-role", "sts_ocm_trust_policy", {"ocm_organization_id": ORG_ID}),
        ("ocm-roles-user-alice", "sts_ocm_user_trust_policy", {"ocm_account_id": ALICE_ID}),
    ):
        text = (templates / f"{template}.json").read_text()
        for key, value in {"partition": partition, "aws_account_id": jump_account, **values}.items():
            text = text.replace(f"%{{{key}}}", value)
        text = text.replace("arn:aws:", f"arn:{partition}:")
        assert _normalised(document(render, logical, "assumeRolePolicy")) == _normalised(json.loads(text)), logical


def _normalised(document: dict[str, Any]) -> list[dict[str, Any]]:
    """A document's statements with every one-or-many field as a sorted list: IAM reads `"a"` and `["a"]` alike."""

    def fix(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: fix(v) for k, v in value.items()}
        return sorted(listed(value)) if isinstance(value, str | list) else value

    return [fix(s) for s in listed(document["Statement"])]


# --- outputs and settings ------------------------------------------------------------------------------------------


def test_outputs_give_the_rosa_link_commands(admin_stack):
    ocm = admin_stack.outputs["ocmRoles"]["ocmRole"]
    role = f"arn:aws:iam::{ACCOUNT_ID}:role/Acme-OCM-Role-16502874"
    assert ocm["rosaLinkArgs"] == ["rosa", "link", "ocm-role", "--role-arn", role, "--organization-id", ORG_ID]
    assert shlex.split(ocm["rosaLinkCommand"]) == ocm["rosaLinkArgs"] and ocm["profile"] == "admin"
    assert set(ocm["policyArns"]) == {"standard", "admin"}
    bob = admin_stack.outputs["ocmRoles"]["userRoles"][BOB]
    user = f"arn:aws:iam::{ACCOUNT_ID}:role/Acme-User-bob.smith-Role"
    assert bob["rosaLinkArgs"] == ["rosa", "link", "user-role", "--role-arn", user, "--account-id", BOB_ID]
    assert shlex.split(bob["rosaLinkCommand"]) == bob["rosaLinkArgs"]


def test_a_stack_without_them_has_no_ocm_roles_and_no_output():
    render = run()
    assert not render.of_type("rosa-foundation:iam:OcmRoles") and "ocmRoles" not in render.outputs


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"ocmRole": ocm_role("administrator")}, "ocmRole.profile = 'administrator': must be 'standard', 'admin' or"),
        ({"ocmRole": {"organizationExternalId": "1", "profile": "admin"}}, "ocmRole.organizationId is missing"),
        ({"ocmRole": ocm_role() | {"organizationId": "org id"}},
         "ocmRole.organizationId = 'org id': must be an OCM id"),
        ({"userRoles": [{"ocmUsername": "alice smith", "ocmAccountId": ALICE_ID}]},
         "userRoles[0].ocmUsername = 'alice smith': must be 1 to 64 letters, digits or _+=,.@-"),
        ({"userRoles": [*USERS, {"ocmUsername": "Alice", "ocmAccountId": "3x"}]},
         "userRoles[2].ocmUsername = 'Alice': userRoles[0] has it already"),
        ({"userRoles": [*USERS, {"ocmUsername": "carol", "ocmAccountId": BOB_ID}]},
         f"userRoles[2].ocmAccountId = '{BOB_ID}': userRoles[1] has it already"),
        ({"layout": "cluster", "accountStack": "split-account", "ocmRole": ocm_role()},
         "rosa-foundation:ocmRole: the OCM and user roles link the account to Red Hat's OCM and belong to the account "
         "stack"),
        ({"layout": "cluster", "accountStack": "split-account", "userRoles": USERS}, "rosa-foundation:userRoles: the"),
    ],
)  # fmt: skip
def test_bad_ocm_settings_are_refused_with_key_and_value(settings, expected):
    with pytest.raises(SettingsError) as failure:
        settings_from_config(config(**settings))
    assert expected in str(failure.value)


def test_two_user_names_made_equal_by_the_cut_are_refused():
    long = "u" * 60
    with pytest.raises(SettingsError, match="after the 64-character cut"):
        settings_from_config(config(userRoles=[{"ocmUsername": f"{long}a", "ocmAccountId": ALICE_ID},
                                                {"ocmUsername": f"{long}b", "ocmAccountId": BOB_ID}]))  # fmt: skip


# --- the pipeline ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("iam_path", ["/", "/rosa/prod/"])
def test_the_deploy_role_may_create_the_ocm_and_user_roles_and_nothing_beside_them(iam_path):
    pipeline = Pipeline(run(ciIdentity=CI, permissionsBoundary=BOUNDARY, iamPath=iam_path, ocmRole=ocm_role("admin"),
                            userRoles=USERS))  # fmt: skip
    bounded = {"iam:PermissionsBoundary": BOUNDARY}
    for logical in ("ocm-roles-ocm-role", "ocm-roles-user-alice", "ocm-roles-user-bob.smith"):
        role = pipeline.role(logical)
        assert pipeline.render.named(logical).inputs["permissionsBoundary"] == BOUNDARY
        for action in ("iam:CreateRole", "iam:TagRole", "iam:UpdateAssumeRolePolicy", "iam:DeleteRole"):
            assert pipeline.may("deploy", action, role, bounded), (action, role)
        assert not pipeline.may("deploy", "iam:CreateRole", role, {}), role  # never without the boundary
    role = pipeline.role("ocm-roles-ocm-role")
    for slug in ("standard", "admin"):
        policy = pipeline.policy(f"ocm-roles-ocm-role-{slug}-policy")
        assert pipeline.may("deploy", "iam:CreatePolicy", policy) and pipeline.may("deploy", "iam:TagPolicy", policy)
        assert pipeline.may("deploy", "iam:AttachRolePolicy", role, {**bounded, "iam:PolicyARN": policy}), slug
    other = f"arn:aws:iam::{ACCOUNT_ID}:role/Other-OCM-Role-1"  # another prefix, outside the stack's path
    assert not pipeline.may("deploy", "iam:CreateRole", other, bounded)
    admin = f"arn:aws:iam::{ACCOUNT_ID}:policy/AdministratorAccess"
    assert not pipeline.may("deploy", "iam:AttachRolePolicy", role, {**bounded, "iam:PolicyARN": admin})


def test_the_pipelines_policies_still_fit_iams_limit_with_an_admin_ocm_role_and_user_roles():
    names = StackNames(settings_from_config(config(ciIdentity=CI, permissionsBoundary=BOUNDARY,
                                                   ocmRole=ocm_role("admin"), userRoles=USERS)))  # fmt: skip
    for document_ in (*ci_permissions.deploy_policies(names).values(), pipeline_boundary.boundary_policy(names)):
        assert len(document_.to_json()) <= ci_permissions.MANAGED_POLICY_SIZE


def test_an_admin_ocm_role_under_the_pipelines_boundary_creates_only_roles_that_carry_it():
    """OCM acting through the admin role (its Red Hat documents) is bound by the boundary every stack role carries."""
    pipeline = Pipeline(run(ciIdentity=CI, permissionsBoundary=BOUNDARY, ocmRole=ocm_role("admin")))
    role = pipeline.role("ocm-roles-ocm-role")
    documents = [
        json.loads(p["policy"]) for p in policies_of(pipeline.render, "ManagedOpenShift-OCM-Role-16502874").values()
    ]

    def may(action: str, resource: str, context: dict[str, str]) -> bool:
        return evaluate(documents, None, role, action, resource, context, boundary=pipeline.boundary).allowed

    new_role = f"arn:aws:iam::{ACCOUNT_ID}:role/ManagedOpenShift-HCP-ROSA-Installer-Role"
    assert may("iam:CreateRole", new_role, {"iam:PermissionsBoundary": BOUNDARY})
    assert not may("iam:CreateRole", new_role, {})
    assert may("iam:GetRole", new_role, {})
    provider = f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/oidc.op1.openshiftapps.com/{'a' * 32}"
    assert not may("iam:DeleteOpenIDConnectProvider", provider, {})
