"""Nothing lost by accident: protected resources that a change would delete or replace are caught before an apply,
and a rename with `renamed_from` keeps every URN."""

import copy

import pytest

from components.backup_vault import BackupVault, BackupVaultArgs
from components.encryption_keys import KeyDefaults
from components.renames import renamed_from
from components.role import RoleDefaults
from foundation.backup_plan import vault_plans
from foundation.names import StackNames
from foundation.settings.loading import settings_from_config
from render.mocks import MockAccount
from render.protection import main, protection_problems
from render.runtime import run_program
from tests.conftest import ACCOUNT_ID, cluster, config, example, run

SETTINGS = config(backup={"vault": "shared", "bucketName": "acme-backups"})


def vault_named(name, opts=None) -> list[dict]:
    def program():
        names = StackNames(settings_from_config(SETTINGS))
        BackupVault(
            name,
            BackupVaultArgs.of(
                names,
                vault_plans(names)["acme-backups"],
                RoleDefaults.of(names.settings),
                KeyDefaults.of(names.settings),
            ),
            opts,
        )

    render = run_program(program, SETTINGS, stack="test", account=MockAccount("aws", ACCOUNT_ID, "us-east-1"))
    return [r.to_json() for r in render.resources]


def test_renaming_a_component_without_an_alias_is_caught():
    problems = protection_problems(vault_named("backup-vault"), vault_named("backups"))
    assert any("'backup-vault-bucket' would be deleted" in p for p in problems)
    assert any("'backup-vault-keys-backups' would be deleted" in p for p in problems)
    assert len(problems) == 2  # exactly the stateful resources: the bucket and its key


def test_a_parent_alias_alone_does_not_save_children_named_after_the_parent():
    from pulumi import Alias, ResourceOptions

    problems = protection_problems(
        vault_named("backup-vault"), vault_named("backups", ResourceOptions(aliases=[Alias(name="backup-vault")]))
    )
    assert len(problems) == 2


def test_renaming_with_renamed_from_keeps_every_urn():
    assert (
        protection_problems(
            vault_named("backup-vault"), vault_named("backups", renamed_from("backup-vault", "backups"))
        )
        == []
    )


def test_a_settings_change_that_would_replace_a_protected_bucket_is_caught():
    before = [r.to_json() for r in run(backup={"vault": "shared"}).resources]
    after = [r.to_json() for r in run(backup={"vault": "shared", "bucketName": "other-name"}).resources]
    problems = protection_problems(before, after)
    assert any("'backup-vault-bucket' would be replaced: bucket changes from" in p for p in problems)


def test_an_existing_vault_gains_object_lock_in_place():
    """A vault made without object lock had `objectLockEnabled: False`; the program no longer sets it (the provider
    keeps a computed value it is not given) and turns the lock on by its configuration: nothing is replaced."""
    before = [r.to_json() for r in run(backup={"vault": "shared", "objectLock": None}).resources]
    for old in before:
        if old["type"] == "aws:s3/bucket:Bucket":
            old["inputs"]["objectLockEnabled"] = False
    after = [r.to_json() for r in run(backup={"vault": "shared"}).resources]
    assert protection_problems(before, after) == []
    assert any(r["name"] == "backup-vault-bucket-object-lock" for r in after)


def test_setting_a_buckets_object_lock_flag_is_caught_as_a_replacement_and_explained():
    before = [r.to_json() for r in run(backup={"vault": "shared"}).resources]
    after = copy.deepcopy(before)
    next(r for r in after if r["name"] == "backup-vault-bucket")["inputs"]["objectLockEnabled"] = True
    (problem,) = protection_problems(before, after)
    assert "'backup-vault-bucket' would be replaced: objectLockEnabled changes from None to True" in problem
    assert "leave objectLockEnabled unset" in problem and "BucketObjectLockConfiguration" in problem


def test_an_unchanged_stack_keeps_everything():
    before = [r.to_json() for r in run(backup={"vault": "shared"}).resources]
    assert protection_problems(before, before) == []


# What a stack keeps in AWS when destroyed, as retainStatefulOnDelete says; an OIDC provider is protected only (a
# retired cluster's provider goes with it, once unprotected on purpose: components/oidc_provider.py).
ZONE, PROVIDER = "aws:route53/zone:Zone", "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
RETAINED = {"aws:s3/bucket:Bucket", "aws:kms/key:Key", "aws:cloudwatch/logGroup:LogGroup", ZONE}
STATEFUL = RETAINED | {PROVIDER}


@pytest.mark.parametrize(
    ("stack", "retained", "kinds"),
    [
        ("prod", True, STATEFUL - {ZONE}),  # log groups and log buckets among them
        ("shared-vpc-owner", True, {ZONE, PROVIDER}),
        ("dev", False, STATEFUL - {ZONE, "aws:cloudwatch/logGroup:LogGroup"}),  # retainStatefulOnDelete: false
    ],
)
def test_the_render_records_protection_and_retention_of_every_stateful_resource(stack, retained, kinds):
    stateful = [r.to_json() for r in example(stack).resources if r.type in STATEFUL]
    assert {r["type"] for r in stateful} == kinds
    for resource in stateful:
        assert resource["options"]["protect"] is True, resource["name"]
        if resource["type"] in RETAINED:
            assert resource["options"]["retainOnDelete"] is retained, resource["name"]


def test_the_cli_exits_non_zero_on_a_lost_protected_resource(tmp_path, capsys):
    import json

    for name, resources in (("before", vault_named("backup-vault")), ("after", vault_named("backups"))):
        (tmp_path / name).mkdir()
        (tmp_path / name / "resources.json").write_text(json.dumps(resources))
    assert main([str(tmp_path / "before"), str(tmp_path / "after")]) == 1
    assert "2 protected resources would be deleted or replaced" in capsys.readouterr().out
    assert main([str(tmp_path / "before"), str(tmp_path / "before")]) == 0


def test_the_cli_tells_a_render_it_cannot_read_from_a_lost_protected_resource(tmp_path, capsys):
    (tmp_path / "garbled").mkdir()
    (tmp_path / "garbled" / "resources.json").write_text("{")
    assert main([str(tmp_path / "missing"), str(tmp_path / "garbled")]) == 2
    assert f"cannot read the render {tmp_path / 'missing' / 'resources.json'}: No such file" in capsys.readouterr().err
    assert main([str(tmp_path / "garbled"), str(tmp_path / "garbled")]) == 2
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_rendering_a_stack_twice_keeps_every_protected_urn(stack):
    from render.runtime import render_stack

    first = [r.to_json() for r in render_stack(stack).resources]
    assert protection_problems(first, [r.to_json() for r in render_stack(stack).resources]) == []


def _earlier_issuer_key(after: list[dict], cluster: str) -> list[dict]:
    """What a stack applied before the issuer's key left Pulumi held beside its issuer: the key (tls.PrivateKey), the
    secret and the secret's version, named and parented as that stack registered them."""
    bucket = next(r for r in after if r["name"] == f"{cluster}-oidc-bucket")
    parent = bucket["urn"].rsplit("::", 1)[0].rsplit("$", 1)[0]

    def resource(type_: str, name: str, protect: bool, dependencies: dict) -> dict:
        urn = f"{parent}${type_}::{name}"
        options = {"protect": protect, "retainOnDelete": protect, "aliases": []}
        return {"type": type_, "name": name, "urn": urn, "inputs": {}, "dependencies": dependencies, "options": options}

    key = resource("tls:index/privateKey:PrivateKey", f"{cluster}-oidc-signing-key", True, {})
    secret = resource("aws:secretsmanager/secret:Secret", f"{cluster}-oidc-private-key", True, {})
    version = resource(
        "aws:secretsmanager/secretVersion:SecretVersion",
        f"{cluster}-oidc-private-key-version",
        False,
        {"secretId": [secret["urn"]], "secretString": [key["urn"]]},
    )
    return [key, secret, version]


def test_an_issuer_key_leaving_the_state_is_explained_as_a_migration_that_changes_nothing_in_aws():
    after = [r.to_json() for r in run(clusters=[cluster("h", oidc={"mode": "self-hosted"})]).resources]
    key, secret, version = _earlier_issuer_key(after, "h")
    problems = protection_problems([*after, key, secret, version], after)
    assert len(problems) == 2  # the key and the secret; the version was never protected
    key_problem = next(p for p in problems if "'h-oidc-signing-key' would be deleted" in p)
    assert "oidc.publicKey" in key_problem and f"`pulumi state unprotect '{key['urn']}'` and `pulumi up`" in key_problem
    assert "purge them" in key_problem  # the backend's older checkpoints
    secret_problem = next(p for p in problems if "'h-oidc-private-key' would be deleted" in p)
    assert "keep it" in secret_problem and "python -m tools.issuer_key" in secret_problem
    assert f"`pulumi state delete '{version['urn']}'`" in secret_problem
    assert f"`pulumi state delete --force '{secret['urn']}'`" in secret_problem
    assert "unprotect" not in secret_problem  # an unprotected secret would be deleted by the next up
