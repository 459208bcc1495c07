"""No principal but a vault's administrator lowers its retention, redirects its replication or changes its keys, and
none but the backup roles (in a replica, S3 replication) writes its objects: the rendered bucket and key policies,
evaluated with an IAM policy evaluator (tests/iam_evaluation.py) for every role the stack renders (the pipeline's
deploy role, the backup roles, ROSA's classic Installer and image-registry roles, whose published policies allow s3 on
every bucket) as rendered and allowed everything on top, and for a principal allowed everything, standing for anyone
else in the account.

Stacks: prod (a shared vault under compliance-mode lock, replicated, with the pipeline's identity) and staging (a
vault per cluster, access-logged, governance-mode lock by default, a classic cluster).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

import pytest

from components.backup_vault import PROTECTIONS, VERSION_REMOVALS
from foundation import naming
from policies.rules.resource_types import BUCKET_ENCRYPTION, BUCKET_POLICY, KMS_KEY
from render.runtime import Render, render_stack
from tests.iam_evaluation import Decision, Document, evaluate, role_policies

EVERYTHING: Document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
KEY_CHANGES = ("kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKey")
OBJECT_WRITES = ("s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload")


@dataclass(frozen=True)
class Protected:
    """One bucket of a vault (the vault or its replica) with its policy, and its key with its policy and tags."""

    bucket_arn: str
    bucket_policy: Document
    key_arn: str
    key_policy: Document
    key_tags: dict[str, str]


@dataclass(frozen=True)
class Stack:
    account: str
    roles: dict[str, list[Document]]  # every rendered role, by ARN, with its identity documents
    vaults: tuple[Protected, ...]
    replicas: tuple[Protected, ...]
    administrators: frozenset[str]
    replication_roles: frozenset[str]

    def decide(self, principal: str, identity: list[Document], action: str, target: Protected) -> Decision:
        """`principal` calling `action` on the bucket, an object in it, or its key, as the action names."""
        if action.startswith("kms:"):
            context = {"kms:CallerAccount": self.account} | {
                f"aws:ResourceTag/{k}": v for k, v in target.key_tags.items()
            }
            return evaluate(identity, target.key_policy, principal, action, target.key_arn, context)
        resource = target.bucket_arn if action in PROTECTIONS else f"{target.bucket_arn}/daily/a-cluster/backup.tar.gz"
        return evaluate(identity, target.bucket_policy, principal, action, resource, resource_account=self.account)


@functools.cache
def rendered(name: str) -> Stack:
    render = render_stack(name)
    outputs = render.outputs
    summaries = [outputs["backupVault"]] if outputs["backupVault"] else []
    summaries += [c["backup"]["vault"] for c in outputs["clusters"].values() if c["backup"] and c["backup"]["vault"]]
    account, partition, defaults = outputs["accountId"], summaries[0]["bucketArn"].split(":")[1], _default_tags(render)
    vaults = tuple(_protected(render, v["bucket"], defaults, partition) for v in summaries)
    replicas = tuple(
        _protected(render, v["replicaBucket"], defaults, partition) for v in summaries if v["replicaBucket"]
    )
    roles = role_policies(render, partition, account)
    replication = frozenset(arn for arn in roles if "-replication-" in arn)
    return Stack(account, roles, vaults, replicas, frozenset(v["administratorArn"] for v in summaries), replication)


def _protected(render: Render, bucket: str, default_tags: dict[str, str], partition: str) -> Protected:
    (policy,) = [r for r in render.of_type(BUCKET_POLICY) if r.inputs["bucket"] == bucket]
    (encryption,) = [r for r in render.of_type(BUCKET_ENCRYPTION) if r.inputs["bucket"] == bucket]
    (rule,) = encryption.inputs["rules"]
    (key_urn,) = encryption.dependencies["rules"]
    (key,) = [r for r in render.of_type(KMS_KEY) if r.urn == key_urn]
    return Protected(
        bucket_arn=naming.arn(partition, "s3", bucket),
        bucket_policy=json.loads(policy.inputs["policy"]),
        key_arn=rule["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"],
        key_policy=json.loads(key.inputs["policy"]),
        key_tags={**default_tags, **(key.inputs.get("tags") or {})},
    )


def _default_tags(render: Render) -> dict[str, str]:
    (provider,) = render.of_type("pulumi:providers:aws")
    return json.loads(provider.inputs.get("defaultTags") or "{}").get("tags", {})


@pytest.fixture(scope="module", params=("prod", "staging"))
def stack(request) -> Stack:
    return rendered(request.param)


def _lowering(stack: Stack, principal: str, identity: list[Document]) -> list[tuple[str, str, str]]:
    """Every lowering of a protection `principal` may make: (action, bucket, its reason)."""
    allowed = []
    for target in (*stack.vaults, *stack.replicas):
        for action in (*PROTECTIONS, *VERSION_REMOVALS, *KEY_CHANGES):
            if (decision := stack.decide(principal, identity, action, target)).allowed:
                allowed.append((action, target.bucket_arn, decision.reason))
    return allowed


def test_the_stacks_evaluated_have_what_the_claims_are_about():
    prod, staging = rendered("prod"), rendered("staging")
    assert prod.replicas and len(staging.vaults) == 2
    for stack in (prod, staging):
        for fragment in (
            "-github-deploy-",
            "OpenShift-Installer-Role",  # classic's (HCP's is <prefix>-HCP-ROSA-Installer-Role)
            "-openshift-image-registry-installer-cloud-credentials",
            "-openshift-adp-backup",
        ):
            assert any(fragment in arn for arn in stack.roles), fragment


def test_no_rendered_role_lowers_a_vaults_protection_as_rendered_or_allowed_everything(stack):
    """The deploy role may otherwise PutLifecycleConfiguration, PutReplicationConfiguration, PutBucketPolicy,
    DeleteBucketPolicy, PutBucketObjectLockConfiguration and PutKeyPolicy on the stack's buckets and keys; ROSA's
    classic Installer and image-registry roles s3:* on every bucket."""
    lowering = {
        (arn, *found)
        for arn, documents in stack.roles.items()
        for identity in (documents, [*documents, EVERYTHING])
        for found in _lowering(stack, arn, identity)
    }
    assert lowering == set()


def test_nobody_else_in_the_account_allowed_everything_lowers_one_either(stack):
    assert _lowering(stack, f"arn:aws:iam::{stack.account}:role/AccountAdministrator", [EVERYTHING]) == []


def test_the_administrator_may_lower_every_protection(stack):
    (administrator,) = stack.administrators
    refused = [
        (action, target.bucket_arn, decision.reason)
        for target in (*stack.vaults, *stack.replicas)
        for action in (*PROTECTIONS, *VERSION_REMOVALS, *KEY_CHANGES)
        if not (decision := stack.decide(administrator, [EVERYTHING], action, target)).allowed
    ]
    assert refused == []


def test_only_the_backup_roles_write_a_vault_and_only_replication_its_replica(stack):
    anyone = f"arn:aws:iam::{stack.account}:role/AccountAdministrator"
    principals: dict[str, list[Document]] = {**stack.roles, anyone: [EVERYTHING]}
    backup_roles = {arn for arn in stack.roles if arn.endswith("-openshift-adp-backup")}
    writing = {
        (arn, action, target.bucket_arn)
        for arn, documents in principals.items()
        if arn not in backup_roles
        for target in (*stack.vaults, *stack.replicas)
        for action in OBJECT_WRITES
        if stack.decide(arn, [*documents, EVERYTHING], action, target).allowed
    }
    replicating = {
        (arn, target.bucket_arn)
        for arn, documents in principals.items()
        if arn not in stack.replication_roles
        for target in stack.replicas
        if stack.decide(arn, [*documents, EVERYTHING], "s3:ReplicateObject", target).allowed
    }
    assert writing == replicating == set()
    for target, role in ((replica, next(iter(stack.replication_roles))) for replica in stack.replicas):
        assert stack.decide(role, stack.roles[role], "s3:ReplicateObject", target).allowed


def test_a_backup_role_writes_but_neither_deletes_a_version_nor_reconfigures_its_vault(stack):
    backup_role = next(arn for arn in stack.roles if arn.endswith("-openshift-adp-backup"))
    assert _lowering(stack, backup_role, [*stack.roles[backup_role], EVERYTHING]) == []
