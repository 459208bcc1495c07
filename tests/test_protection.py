"""Nothing lost by accident: protected resources that a change would delete or replace are caught before an apply,
and a rename with `renamed_from` keeps every URN."""

import pytest

from components.backup_vault import BackupVault, BackupVaultArgs
from components.renames import renamed_from
from foundation.backup_plan import vault_plans
from foundation.names import StackNames
from foundation.settings.loading import settings_from_config
from render.mocks import MockAccount
from render.protection import main, protection_problems
from render.runtime import run_program
from tests.conftest import ACCOUNT_ID, config, run

SETTINGS = config(backup={"vault": "shared", "bucketName": "acme-backups"})


def vault_named(name, opts=None) -> list[dict]:
    def program():
        names = StackNames(settings_from_config(SETTINGS))
        BackupVault(name, BackupVaultArgs.of(names, vault_plans(names)["acme-backups"]), opts)

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


def test_turning_on_object_lock_later_is_caught_as_a_replacement():
    before = [r.to_json() for r in run(backup={"vault": "shared"}).resources]
    after = [r.to_json() for r in run(backup={"vault": "shared", "objectLock": {"mode": "GOVERNANCE"}}).resources]
    assert any("objectLockEnabled changes from False to True" in p for p in protection_problems(before, after))


def test_an_unchanged_stack_keeps_everything():
    before = [r.to_json() for r in run(backup={"vault": "shared"}).resources]
    assert protection_problems(before, before) == []


def test_the_render_records_protection_and_retention_of_every_stateful_resource():
    render = run(backup={"vault": "shared"})
    stateful = {"aws:s3/bucket:Bucket", "aws:kms/key:Key", "aws:iam/openIdConnectProvider:OpenIdConnectProvider"}
    for resource in render.resources:
        if resource.type in stateful:
            assert resource.to_json()["options"]["protect"] is True, resource.name


def test_the_cli_exits_non_zero_on_a_lost_protected_resource(tmp_path, capsys):
    import json

    for name, resources in (("before", vault_named("backup-vault")), ("after", vault_named("backups"))):
        (tmp_path / name).mkdir()
        (tmp_path / name / "resources.json").write_text(json.dumps(resources))
    assert main([str(tmp_path / "before"), str(tmp_path / "after")]) == 1
    assert "2 protected resources would be deleted or replaced" in capsys.readouterr().out
    assert main([str(tmp_path / "before"), str(tmp_path / "before")]) == 0


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_rendering_a_stack_twice_keeps_every_protected_urn(stack):
    from render.runtime import render_stack

    first = [r.to_json() for r in render_stack(stack).resources]
    assert protection_problems(first, [r.to_json() for r in render_stack(stack).resources]) == []
