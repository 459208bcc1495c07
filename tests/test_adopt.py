"""Adopting an account rosa already set up: rosa's account roles, operator roles and OIDC providers made in moto as
rosa makes them (tests/rosa_made.py), the adopt report run against them, then the stack applied into the same
account with its import ids, and run again.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from foundation.iam import canonical
from foundation.stack_files import STACKS_DIR as PROJECT_STACKS
from render import artefacts
from render.__main__ import main as render_main
from render.runtime import Render, render_stack, run_main
from tests.conftest import ACCOUNT_ID, cluster, config, example
from tests.moto_account import MotoMocks
from tests.rosa_made import Rosa
from tools import adopt_report

STACK = "adopted"
EXAMPLES = Path(__file__).parent.parent / "stacks"
PATH = "/rosa/"
BOUNDARY = f"arn:aws:iam::{ACCOUNT_ID}:policy/rosa/RosaBoundary"
EXTERNAL_ID = "acme-7f3a"
ALL_KINDS = ["account-roles", "operator-roles", "oidc-providers"]
# An HCP and a classic cluster on managed OIDC configs, the user's own tag on everything, rosa's optional flags used.
SETTINGS: dict[str, Any] = {
    "iamPath": PATH,
    "permissionsBoundary": BOUNDARY,
    "trustExternalId": EXTERNAL_ID,
    "tags": {"environment": "adopted"},
    "clusters": [cluster("alpha"), cluster("beta", "classic")],
}
ROLE, POLICY = "aws:iam/role:Role", "aws:iam/policy:Policy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
OIDC_PROVIDER = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"

ADMIN_DOCUMENT = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def stack_config(adopt: list[str] | None = ALL_KINDS) -> dict[str, str]:
    return config(**SETTINGS, adopt=adopt)


@pytest.fixture(scope="module")
def adopting() -> Render:
    """The offline render of the stack adopting every kind."""
    return run_main(stack_config(), stack=STACK)


@contextmanager
def _rosa_account(reference_dir: Path, monkeypatch) -> Iterator[tuple[Any, Rosa]]:
    """A moto account holding the stack's boundary policy, its IAM client, and rosa to make roles in it."""
    monkeypatch.setenv("MOTO_ACCOUNT_ID", ACCOUNT_ID)
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(variable, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        iam = boto3.client("iam")
        iam.create_policy(PolicyName="RosaBoundary", Path=PATH, PolicyDocument=json.dumps(BOUNDARY_DOCUMENT))
        yield iam, Rosa(iam, ACCOUNT_ID, reference_dir, policy_version="4.20")


@pytest.fixture
def account(reference_dir: Path, adopting: Render, tmp_path: Path, monkeypatch):
    """A moto account in which rosa made what the stack declares (`rosa create account-roles --hosted-cp` and
    `--classic`, `create oidc-provider` and `create operator-roles` for each cluster), and the stack's render under
    `tmp_path/build`."""
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")  # AWS's ROSA* policies exist to attach
    with _rosa_account(reference_dir, monkeypatch) as (iam, rosa):
        installers = {}
        for topology in ("hcp", "classic"):
            roles = rosa.create_account_roles(topology, path=PATH, boundary=BOUNDARY, external_id=EXTERNAL_ID)
            installers[topology] = roles["installer"]
        for entry in SETTINGS["clusters"]:
            issuer = f"https://oidc.op1.openshiftapps.com/{entry['oidc']['configId']}"
            rosa.create_oidc_provider(issuer, thumbprint="a9d53002e97e00e043244f3d170d6f4c414104fd")
            rosa.create_operator_roles(
                entry["topology"], entry["name"], issuer, installers[entry["topology"]], boundary=BOUNDARY
            )
        build = tmp_path / "build"
        artefacts.write(adopting, build / STACK)
        yield iam, build


def _report(build: Path) -> adopt_report.Report:
    return adopt_report.report(boto3.Session(), STACK, build)


def _apply(fixes: list[adopt_report.Fix], iam) -> None:
    for fix in fixes:
        getattr(iam, fix.operation)(**fix.params)


def _apply_stack(adopt: list[str] | None) -> tuple[Render, MotoMocks]:
    """`pulumi up` of the stack into the moto account: the render and the mocks that made (or imported) it all."""
    return _apply_config(stack_config(adopt))


def _apply_config(raw: dict[str, str]) -> tuple[Render, MotoMocks]:
    made: list[MotoMocks] = []

    def mocks(account):
        made.append(MotoMocks(account))
        return made[0]

    try:
        return run_main(raw, stack=STACK, mocks_for=mocks), made[0]
    except Exception:
        made[0].close()
        raise


def _imported(render: Render) -> list[Any]:
    return [r for r in render.resources if "import" in r.options]


def test_the_render_declares_each_import_with_the_id_pulumi_aws_documents_for_its_type(adopting):
    ids = {(r.type, r.name): r.options["import"] for r in _imported(adopting)}
    assert ids, "nothing to import"
    for resource in _imported(adopting):
        assert resource.options["import"] == _expected_id(resource.type, resource.inputs), resource.name
    kinds = {t for t, _ in ids}
    assert kinds == {ROLE, POLICY, ATTACHMENT, OIDC_PROVIDER}
    # What rosa never makes is created, never imported: the KMS keys, and nothing but IAM.
    assert all(r.type in kinds for r in _imported(adopting))
    counts = {kind: sum(t == kind for t, _ in ids) for kind in kinds}
    # 3 HCP + 4 classic account roles, 8 HCP + 6 classic operator roles; 4 classic account and 6 operator policies;
    # one attachment per role; two managed configs' providers.
    assert counts == {ROLE: 21, POLICY: 10, ATTACHMENT: 21, OIDC_PROVIDER: 2}
    summary = artefacts.summary(adopting, STACK, Path("build") / STACK, 0.0)
    assert "to import (rosa-foundation:adopt): 54 resources, ids under options.import" in summary


def test_adopt_off_declares_the_same_resources_with_the_same_inputs_and_no_import(adopting):
    plain = run_main(stack_config(adopt=None), stack=STACK)
    with_ids = [r.to_json() for r in adopting.in_tree_order()]
    for resource in with_ids:
        resource["options"].pop("import", None)
    assert [r.to_json() for r in plain.in_tree_order()] == with_ids
    assert not _imported(plain)


def test_what_rosa_made_differs_from_the_stack_only_in_tags_the_report_aligns(account):
    iam, build = account
    report = _report(build)
    assert report.exit_code == 1, adopt_report.render_text(report)
    assert {f.verdict for f in report.findings} == {"ok", "differs"}
    problems = [p for f in report.findings for p in f.problems]
    assert problems and all(" tags: " in p for p in problems), problems
    # rosa tags its HCP account roles with the policy version too (getBaseRoleTags); the stack does not.
    installer = next(f for f in report.findings if f.import_id == "ManagedOpenShift-HCP-ROSA-Installer-Role")
    assert any(fix.cli == f"aws iam untag-role --role-name {installer.import_id} --tag-keys rosa_openshift_version"
               for fix in installer.fixes)  # fmt: skip
    _apply([fix for f in report.findings for fix in f.fixes], iam)
    aligned = _report(build)
    assert aligned.exit_code == 0, adopt_report.render_text(aligned)
    assert "exit 0: every resource to import matches" in adopt_report.render_text(aligned)


def test_without_adopt_pulumi_up_stops_at_entity_already_exists(account):
    with pytest.raises(Exception, match="EntityAlreadyExists"):
        _apply_stack(adopt=None)


def test_once_aligned_pulumi_up_imports_them_and_the_next_run_without_adopt_declares_no_change(account, adopting):
    iam, build = account
    _apply([fix for f in _report(build).findings for fix in f.fixes], iam)
    _, mocks = _apply_stack(ALL_KINDS)  # raises where an import's inputs differ, as `pulumi up` does
    assert sorted(mocks.imported) == sorted(r.options["import"] for r in _imported(adopting))
    # The next run, adopt turned off: each resource that was imported is declared exactly as the account holds it.
    next_run = run_main(stack_config(adopt=None), stack=STACK)
    imported = {(r.type, r.name) for r in _imported(adopting)}
    declared = [r for r in next_run.resources if (r.type, r.name) in imported]
    assert len(declared) == len(imported)
    attachments = {(a.inputs["role"], a.inputs["policyArn"]) for a in next_run.of_type(ATTACHMENT)}
    for resource in declared:
        inputs = resource.inputs
        if resource.type == ROLE:
            stored = iam.get_role(RoleName=inputs["name"])["Role"]
            assert stored["Path"] == inputs["path"] == PATH
            assert stored["PermissionsBoundary"]["PermissionsBoundaryArn"] == inputs["permissionsBoundary"]
            assert stored["MaxSessionDuration"] == inputs["maxSessionDuration"]
            assert canonical(stored["AssumeRolePolicyDocument"]) == canonical(inputs["assumeRolePolicy"])
            assert _tag_map(stored["Tags"]) == USER_TAGS | inputs["tags"]
            listed = iam.list_attached_role_policies(RoleName=inputs["name"])["AttachedPolicies"]
            assert {(inputs["name"], p["PolicyArn"]) for p in listed} == {
                a for a in attachments if a[0] == inputs["name"]
            }
        elif resource.type == POLICY:
            arn = _expected_id(POLICY, inputs)
            policy = iam.get_policy(PolicyArn=arn)["Policy"]
            document = iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])["PolicyVersion"]
            assert canonical(document["Document"]) == canonical(inputs["policy"])
            assert _tag_map(iam.list_policy_tags(PolicyArn=arn)["Tags"]) == USER_TAGS | inputs["tags"]
        elif resource.type == OIDC_PROVIDER:
            provider = iam.get_open_id_connect_provider(OpenIDConnectProviderArn=_expected_id(OIDC_PROVIDER, inputs))
            assert sorted(provider["ClientIDList"]) == sorted(inputs["clientIdLists"])
            assert _tag_map(provider["Tags"]) == USER_TAGS | inputs["tags"]


def test_a_role_whose_trust_differs_is_refused_with_exit_3(account):
    iam, build = account
    name = "ManagedOpenShift-Installer-Role"
    trust = iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]
    trust["Statement"][0]["Principal"]["AWS"] = ["arn:aws:iam::999999999999:root"]
    iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(trust))
    report = _report(build)
    assert report.exit_code == 3
    (refused,) = [f for f in report.findings if f.verdict == "refused"]
    assert refused.import_id == name and any("trust differs" in p and "999999999999" in p for p in refused.problems)
    assert "exit 3: refused" in adopt_report.render_text(report)


def test_what_another_stack_of_the_account_declares_is_refused_with_exit_3_not_taken_over(account):
    iam, build = account
    _apply([fix for f in _report(build).findings for fix in f.fixes], iam)  # all else matches
    # A second stack in the same account, with the same account role prefix and no cluster: it owns the account roles.
    account_roles = {"clusters": [], "accountRoleTopologies": ["hcp", "classic"], "classicPolicyVersion": "4.20"}
    other = run_main(config(**{**SETTINGS, **account_roles}), stack="platform")
    artefacts.write(other, build / "platform")
    report = _report(build)
    assert report.exit_code == 3, adopt_report.render_text(report)
    refused = {f.import_id for f in report.findings if f.verdict == "refused"}
    assert "ManagedOpenShift-HCP-ROSA-Installer-Role" in refused
    assert f"arn:aws:iam::{ACCOUNT_ID}:policy{PATH}ManagedOpenShift-Installer-Role-Policy" in refused
    assert not any(name.startswith(("alpha-", "beta-")) for name in refused)  # the operator roles are this stack's
    text = adopt_report.render_text(report)
    assert "stack 'platform' declares it too" in text and "exit 3: refused" in text


def test_pulumi_up_refuses_to_import_a_role_whose_trust_differs_not_only_the_report(account):
    iam, build = account
    _apply([fix for f in _report(build).findings for fix in f.fixes], iam)
    name = "ManagedOpenShift-Installer-Role"
    trust = iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]
    trust["Statement"][0]["Principal"]["AWS"] = ["arn:aws:iam::999999999999:root"]
    iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(trust))
    with pytest.raises(Exception, match=f"inputs to import do not match the existing resource {name}"):
        _apply_stack(ALL_KINDS)
    assert "999999999999" in json.dumps(iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"])


def test_a_missing_attachment_or_role_blocks_the_import_and_says_how(account):
    iam, build = account
    role = "alpha-kube-system-kms-provider"
    policy = "arn:aws:iam::aws:policy/service-role/ROSAKMSProviderPolicy"
    iam.detach_role_policy(RoleName=role, PolicyArn=policy)
    report = _report(build)
    assert report.exit_code == 1
    (missing,) = [f for f in report.findings if f.verdict == "missing"]
    assert missing.import_id == f"{role}/{policy}"
    assert [fix.cli for fix in missing.fixes] == [
        f"aws iam attach-role-policy --role-name {role} --policy-arn {policy}"
    ]


def test_a_permission_the_stack_does_not_declare_on_a_role_to_adopt_is_a_difference_to_remove(account):
    """Pulumi manages only the attachments a stack declares: adopted as it is, a role would keep an undeclared policy
    that no reviewer sees in the render or the diff."""
    iam, build = account
    role, admin = "ManagedOpenShift-HCP-ROSA-Worker-Role", "arn:aws:iam::aws:policy/AdministratorAccess"
    iam.attach_role_policy(RoleName=role, PolicyArn=admin)
    iam.put_role_policy(RoleName=role, PolicyName="debug", PolicyDocument=json.dumps(ADMIN_DOCUMENT))
    _apply([fix for f in _report(build).findings for fix in f.fixes if "--tag" in fix.cli], iam)  # rosa's tags
    report = _report(build)
    assert report.exit_code == 1, adopt_report.render_text(report)
    (worker,) = [f for f in report.findings if f.import_id == role]
    assert worker.verdict == "differs"
    assert [fix.cli for fix in worker.fixes] == [
        f"aws iam detach-role-policy --role-name {role} --policy-arn {admin}",
        f"aws iam delete-role-policy --role-name {role} --policy-name debug",
    ]
    assert any("declare it in rosa-foundation:extraPolicyArns" in p for p in worker.problems)
    _apply(worker.fixes, iam)
    assert _report(build).exit_code == 0


def test_red_hat_managed_roles_and_providers_no_stack_declares_are_listed(account, reference_dir):
    iam, build = account
    rosa = Rosa(iam, ACCOUNT_ID, reference_dir, policy_version="4.20")
    gone = "https://oidc.op1.openshiftapps.com/" + "z" * 32  # a config no cluster of any stack names
    gone_provider = rosa.create_oidc_provider(gone, thumbprint="a9d53002e97e00e043244f3d170d6f4c414104fd")
    installer = iam.get_role(RoleName="ManagedOpenShift-HCP-ROSA-Installer-Role")["Role"]["Arn"]
    leftover_roles = rosa.create_operator_roles("hcp", "old-cluster", gone, installer)
    iam.create_role(RoleName="unrelated", AssumeRolePolicyDocument=json.dumps(TRUST_EC2))
    report = _report(build)
    role_arns = {f"arn:aws:iam::{ACCOUNT_ID}:role{PATH}{name}" for name in leftover_roles}
    assert set(report.leftovers) == role_arns | {gone_provider}
    text = adopt_report.render_text(report)
    assert gone_provider in text and "unrelated" not in text


def test_the_command_exits_2_without_a_render_or_with_another_accounts_credentials(account, tmp_path, capsys):
    _, build = account
    assert adopt_report.main([STACK, "--build", str(tmp_path / "nothing")]) == 2
    assert "make render STACK=adopted" in capsys.readouterr().err
    resources = json.loads((build / STACK / "resources.json").read_text())
    for resource in resources:
        if resource["type"] == "pulumi:providers:aws":
            resource["inputs"]["allowedAccountIds"] = json.dumps(["210987654321"])
    (build / STACK / "resources.json").write_text(json.dumps(resources))
    assert adopt_report.main([STACK, "--build", str(build)]) == 2
    assert f"the credentials are of account {ACCOUNT_ID}; stack 'adopted' is pinned to 210987654321" in (
        capsys.readouterr().err
    )


def test_without_credentials_the_command_exits_2_saying_it_needs_the_accounts(account, monkeypatch, capsys):
    for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(variable, raising=False)
    for variable in ("AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"):
        monkeypatch.setenv(variable, "/dev/null")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    assert adopt_report.main([STACK, "--build", str(account[1])]) == 2
    err = capsys.readouterr().err.splitlines()
    assert "Unable to locate credentials; run it with read access to the stack's account" in err[0]
    assert err[-1] == "exit 2: no report"


USER_TAGS = SETTINGS["tags"]
BOUNDARY_DOCUMENT = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:Get*", "Resource": "*"}]}
TRUST_EC2 = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def _expected_id(type_: str, inputs: dict[str, Any]) -> str:
    """pulumi-aws's import id formats (its docstrings' `## Import`): role name, policy ARN, `<role>/<policy ARN>`,
    provider ARN."""
    if type_ == ROLE:
        return inputs["name"]
    if type_ == POLICY:
        return f"arn:aws:iam::{ACCOUNT_ID}:policy{inputs['path']}{inputs['name']}"
    if type_ == ATTACHMENT:
        return f"{inputs['role']}/{inputs['policyArn']}"
    return f"arn:aws:iam::{ACCOUNT_ID}:oidc-provider/{inputs['url'].removeprefix('https://')}"


def _tag_map(tags: list[dict[str, str]]) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in tags}


def test_a_cluster_stack_imports_its_operator_roles_attached_to_the_account_stacks_classic_policies(tmp_path):
    # split-classic reads its classic operator policies from split-account; its attachments' import ids must name
    # exactly the ARNs that account stack outputs, or the import would name a policy that is not attached.
    stacks = tmp_path / "stacks"
    shutil.copytree(EXAMPLES, stacks)
    path = stacks / "Pulumi.split-classic.yaml"
    text = path.read_text()
    path.write_text(text.replace("  rosa-foundation:layout: cluster\n", "  rosa-foundation:layout: cluster\n"
                                 "  rosa-foundation:adopt: [operator-roles]\n"))  # fmt: skip
    cluster_stack = render_stack("split-classic", stacks)
    account_policies = example("split-account").outputs["classicOperatorPolicyArns"]
    attachments = [r for r in _imported(cluster_stack) if r.type == ATTACHMENT]
    assert len(attachments) == 6
    for attachment in attachments:
        assert attachment.inputs["policyArn"] in account_policies.values()
        assert attachment.options["import"] == f"{attachment.inputs['role']}/{attachment.inputs['policyArn']}"


# --- the OCM role and user roles (`rosa create ocm-role`, `rosa create user-role`) -----------------------------------

OCM = {
    "clusters": [],
    "ocmRole": {
        "organizationId": "2Kf7dQm1xVbR9sTnW4yHcZp3LaE",
        "organizationExternalId": "16502874",
        "profile": "admin",
    },
    "userRoles": [{"ocmUsername": "platform-alice", "ocmAccountId": "2Kf7eA9vNqT3mXcR8wLpY5sHdBu"}],
}


def _ocm_config(adopt: list[str] | None) -> dict[str, str]:
    return config(**{**SETTINGS, **OCM, "adopt": adopt})


@pytest.fixture
def ocm_account(reference_dir: Path, tmp_path: Path, monkeypatch):
    """A moto account where someone ran `rosa create ocm-role --admin` and `rosa create user-role` with the stack's
    prefix, path and boundary, and the render of a stack declaring both and adopting them under `tmp_path/build`."""
    with _rosa_account(reference_dir, monkeypatch) as (iam, rosa):
        ocm, (user,) = OCM["ocmRole"], OCM["userRoles"]
        rosa.create_ocm_role(
            ocm["organizationId"], ocm["organizationExternalId"], "admin", path=PATH, boundary=BOUNDARY
        )
        rosa.create_user_role(user["ocmUsername"], user["ocmAccountId"], path=PATH, boundary=BOUNDARY)
        build = tmp_path / "build"
        artefacts.write(run_main(_ocm_config(["ocm-roles"]), stack=STACK), build / STACK)
        yield iam, build


def test_the_ocm_role_and_user_roles_rosa_made_are_adopted_and_differ_only_in_the_stacks_own_tags(ocm_account):
    iam, build = ocm_account
    report = _report(build)
    imported = {f.import_id for f in report.findings}
    role = "ManagedOpenShift-OCM-Role-16502874"
    policies = {f"arn:aws:iam::{ACCOUNT_ID}:policy{PATH}{role}-{suffix}" for suffix in ("Policy", "Admin-Policy")}
    assert imported == {role, "ManagedOpenShift-User-platform-alice-Role"} | policies | {
        f"{role}/{arn}" for arn in policies
    }
    # rosa sets every tag the stack declares for them; the stack adds only the user's own.
    problems = [p for f in report.findings for p in f.problems]
    assert report.exit_code == 1 and problems and all(p.endswith(f"environment={USER_TAGS['environment']!r} (missing)")
                                                      for p in problems), problems  # fmt: skip
    _apply([fix for f in report.findings for fix in f.fixes], iam)
    assert _report(build).exit_code == 0
    _, mocks = _apply_config(_ocm_config(["ocm-roles"]))  # raises where an import's inputs differ
    assert sorted(mocks.imported) == sorted(imported)


def _stacks_adopting(tmp_path: Path, adopt: dict[str, str]) -> Path:
    """A copy of the example stack files, each of `adopt`'s stacks with that `rosa-foundation:adopt` line added."""
    folder = tmp_path / "stacks"
    shutil.copytree(PROJECT_STACKS, folder)
    for stack, kinds in adopt.items():
        path = folder / f"Pulumi.{stack}.yaml"
        path.write_text(path.read_text() + f"  rosa-foundation:adopt: {kinds}\n")
    return folder


def test_adopting_what_another_stack_of_the_account_declares_is_refused_before_anything_is_registered(tmp_path, capsys):
    """Two stacks would manage one role, and either's destroy would delete it: the report refuses it (exit 3), and
    so does the render itself, with one line per resource, naming the other stack's file."""
    folder = _stacks_adopting(tmp_path, {"split-account": "[account-roles]"})
    shutil.copy(folder / "Pulumi.split-account.yaml", folder / "Pulumi.split-account-copy.yaml")
    out = tmp_path / "out"
    assert render_main(["split-account", "--stacks", str(folder), "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert (
        "rosa-foundation:adopt: role 'splitopenshift-hcp-rosa-installer-role' (account-role/hcp/installer) is also "
        "declared by stack 'split-account-copy' (Pulumi.split-account-copy.yaml) in account 555555555555" in error
    )
    assert "Traceback" not in error and not out.exists()


def test_an_account_stack_and_its_cluster_stacks_adopt_side_by_side(tmp_path, capsys):
    """A cluster stack names its account stack's roles but does not manage them: no claim between them."""
    folder = _stacks_adopting(tmp_path, {"split-account": "[account-roles]", "split-hcp": "[operator-roles]"})
    for stack in ("split-account", "split-hcp"):
        assert render_main([stack, "--stacks", str(folder), "--out", str(tmp_path / stack)]) == 0, capsys.readouterr()
