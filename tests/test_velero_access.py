"""What OADP's Velero asks AWS for (tests/data/velero_requests.yaml, read from Velero's and its AWS plugin's source),
evaluated against a rendered stack's backup roles, vault bucket policy and vault key policy with an IAM policy
evaluator (tests/iam_evaluation.py): every request of a cluster is allowed, no cluster writes, reads or deletes in
another's prefixes, and nothing but a cluster's backup role writes its backups."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from foundation import naming
from policies.rules.resource_types import BUCKET_ENCRYPTION, BUCKET_POLICY
from render.runtime import Render
from tests.conftest import ACCOUNT_ID, example, run
from tests.iam_evaluation import Decision, Document, evaluate, role_policies

DATA = yaml.safe_load((Path(__file__).parent / "data" / "velero_requests.yaml").read_text())
# Example stacks with backups: a shared vault of one cluster, of three (one classic, whose installer and image
# registry roles may write any bucket), and a cluster's own vault in the split layout.
STACKS = ("dev", "prod", "split-hcp")
# What changes or removes a backup: Velero's writes, and deleting a version (which nobody needs).
WRITES = ("s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:DeleteObjectVersion")


@dataclass(frozen=True)
class Request:
    action: str
    resource: str
    context: Mapping[str, str]
    call: str


@dataclass(frozen=True)
class Location:
    """One backup storage location of one cluster, as its rendered DataProtectionApplication declares it."""

    cluster: str
    role_arn: str  # the cluster's backup role
    bucket: str
    prefix: str  # trimmed of "/", as Velero trims it (pkg/persistence/object_store.go:147)
    config: Mapping[str, str]
    schedule: str  # the Schedule whose backups it holds


@dataclass(frozen=True)
class Vault:
    bucket_arn: str
    bucket_policy: Document
    key_arn: str
    key_policy: Document


@dataclass(frozen=True)
class Stack:
    render: Render
    account: str
    roles: Mapping[str, list[Document]]  # role ARN -> its identity documents
    locations: tuple[Location, ...]
    vaults: Mapping[str, Vault]  # by bucket name

    def requests(self, location: Location) -> list[Request]:
        """Every request of the data file, for `location`."""
        vault = self.vaults[location.bucket]
        backup = f"{location.schedule}-20260101010000"
        values = {
            "bucket_arn": vault.bucket_arn,
            "prefix": location.prefix,
            "key_arn": vault.key_arn,
            "region": location.config["region"],
            "account": self.account,
            "backup": backup,
            "restore": f"{backup}-20260102030405",
        }
        return [
            Request(
                entry["action"],
                entry["resource"].format(**values),
                {k: v.format(**values) for k, v in entry["context"].items()},
                entry["call"],
            )
            for entry in DATA["requests"]
        ]

    def decide(self, principal: str, request: Request, identity: list[Document] | None = None) -> Decision:
        """`principal` (holding its rendered documents, or `identity`) making `request` to the vault it names."""
        bucket = request.resource.split(":::", 1)[1].split("/", 1)[0] if ":s3:::" in request.resource else None
        vault = (
            self.vaults[bucket] if bucket else next(v for v in self.vaults.values() if v.key_arn == request.resource)
        )
        policy = vault.key_policy if request.action.startswith("kms:") else vault.bucket_policy
        documents = self.roles[principal] if identity is None else identity
        return evaluate(documents, policy, principal, request.action, request.resource, request.context)


@functools.cache
def rendered(name: str) -> Stack:
    render = example(name)
    locations = tuple(_locations(render))
    account = locations[0].role_arn.split(":")[4]
    partition = locations[0].role_arn.split(":")[1]
    return Stack(
        render=render,
        account=account,
        roles=role_policies(render, partition, account),
        locations=locations,
        vaults={loc.bucket: _vault(render, loc.bucket, partition) for loc in locations},
    )


def _locations(render: Render) -> Iterator[Location]:
    for cluster, facts in render.outputs["clusters"].items():
        manifests = facts["backup"]["manifests"]
        schedules = {
            m["spec"]["template"]["storageLocation"]: m["metadata"]["name"] for m in _kind(manifests, "Schedule")
        }
        for application in _kind(manifests, "DataProtectionApplication"):
            for location in application["spec"]["backupLocations"]:
                storage = location["velero"]["objectStorage"]
                yield Location(
                    cluster=cluster,
                    role_arn=facts["backup"]["roleArn"],
                    bucket=storage["bucket"],
                    prefix=storage["prefix"].strip("/"),
                    config=location["velero"]["config"],
                    schedule=schedules[location["name"]],
                )


def _kind(manifests: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [m for m in manifests if m["kind"] == kind]


def _vault(render: Render, bucket: str, partition: str) -> Vault:
    """The vault's bucket policy, and the key its default encryption uses with that key's policy."""
    (policy,) = [r for r in render.of_type(BUCKET_POLICY) if r.inputs["bucket"] == bucket]
    (encryption,) = [r for r in render.of_type(BUCKET_ENCRYPTION) if r.inputs["bucket"] == bucket]
    (rule,) = encryption.inputs["rules"]
    (key_urn,) = encryption.dependencies["rules"]
    (key,) = [r for r in render.resources if r.urn == key_urn]
    return Vault(
        bucket_arn=naming.arn(partition, "s3", bucket),
        bucket_policy=json.loads(policy.inputs["policy"]),
        key_arn=rule["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"],
        key_policy=json.loads(key.inputs["policy"]),
    )


@pytest.fixture(scope="module", params=STACKS)
def stack(request) -> Stack:
    return rendered(request.param)


def test_every_velero_request_of_a_cluster_is_allowed(stack):
    refused = [
        (location.cluster, request.call, request.action, request.resource, decision.reason)
        for location in stack.locations
        for request in stack.requests(location)
        if not (decision := stack.decide(location.role_arn, request)).allowed
    ]
    assert refused == []


def test_velero_is_told_a_backup_is_not_there_rather_than_forbidden(stack):
    """Before each backup Velero HEADs `backups/<name>/velero-backup.json` and fails on anything but NotFound; S3
    says NotFound only to a caller that may list the bucket, and a HEAD carries no s3:prefix."""
    for location in stack.locations:
        head = next(r for r in stack.requests(location) if r.call.startswith("HeadObject (BackupExists)"))
        absent = Request("s3:ListBucket", head.resource.split("/", 1)[0], {}, "HeadObject, object absent")
        assert stack.decide(location.role_arn, head).allowed, head
        assert stack.decide(location.role_arn, absent).allowed, stack.decide(location.role_arn, absent).reason


def test_a_cluster_may_not_write_read_or_delete_in_another_clusters_prefixes():
    prod = rendered("prod")
    clusters = {loc.cluster: loc.role_arn for loc in prod.locations}
    assert len(clusters) == 3
    allowed = [
        (clusters[cluster], other.cluster, request.action, request.resource)
        for cluster in clusters
        for other in prod.locations
        if other.cluster != cluster
        for request in prod.requests(other)
        if request.action in (*WRITES, "s3:GetObject") or request.context.get("s3:prefix")
        if prod.decide(clusters[cluster], request).allowed
    ]
    assert allowed == []


def test_other_clusters_object_names_are_visible_to_a_backup_role_but_not_their_contents():
    """The price of S3's 404: a role that may list the bucket for a HEAD may list it without a prefix too."""
    prod = rendered("prod")
    mine, theirs = prod.locations[0], next(loc for loc in prod.locations if loc.cluster != prod.locations[0].cluster)
    bucket_arn = prod.vaults[theirs.bucket].bucket_arn
    their_backup = next(r for r in prod.requests(theirs) if r.call.startswith("GetObject (GetBackupContents"))
    assert prod.decide(mine.role_arn, Request("s3:ListBucket", bucket_arn, {}, "ListObjectsV2, no prefix")).allowed
    assert not prod.decide(mine.role_arn, their_backup).allowed


def test_nothing_but_a_clusters_backup_role_writes_or_deletes_its_backups(stack):
    """Not the classic installer or image registry roles (s3:PutObject on "*"), not another cluster's backup role,
    not an account administrator (standing in for every principal and AWS-managed policy outside the render)."""
    administrator = f"arn:aws:iam::{stack.account}:role/account-administrator"
    everyone = {
        **stack.roles,
        administrator: [{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}],
    }
    owners: dict[str, str | None] = {}  # object ARN -> the backup role that may write it
    for location in stack.locations:
        bucket_arn = stack.vaults[location.bucket].bucket_arn
        (backup,) = {r.resource for r in stack.requests(location) if r.resource.endswith(".tar.gz")}
        owners |= {backup: location.role_arn, f"{bucket_arn}/{location.prefix}-not-its-prefix/x": None}
        owners[f"{bucket_arn}/x"] = None
    allowed = [
        (principal, action, key)
        for principal, documents in everyone.items()
        for action in WRITES
        for key, owner in owners.items()
        if not (principal == owner and action != "s3:DeleteObjectVersion")
        if stack.decide(principal, Request(action, key, {}, "write"), documents).allowed
    ]
    assert allowed == []


def test_the_vault_key_serves_a_backup_role_only_through_s3_for_this_vault(stack):
    location = stack.locations[0]
    decrypt = next(r for r in stack.requests(location) if r.action == "kms:Decrypt")
    other_bucket = {**decrypt.context, "kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::somebody-elses-bucket"}
    direct = {k: v for k, v in decrypt.context.items() if k != "kms:ViaService"}
    assert stack.decide(location.role_arn, decrypt).allowed
    assert not stack.decide(location.role_arn, Request("kms:Decrypt", decrypt.resource, direct, "direct")).allowed
    assert not stack.decide(location.role_arn, Request("kms:Decrypt", decrypt.resource, other_bucket, "other")).allowed


def test_a_backup_role_may_do_nothing_but_velero_s_requests(stack):
    """No bucket configuration, no object versions or retention, no other bucket, no EC2 (no volume snapshots), no IAM,
    no key handed on."""
    location = stack.locations[0]
    role, vault = location.role_arn, stack.vaults[location.bucket]
    (backup,) = {r.resource for r in stack.requests(location) if r.resource.endswith(".tar.gz")}
    via_s3 = next(r for r in stack.requests(location) if r.action == "kms:Decrypt").context
    bucket_actions = ("s3:PutBucketPolicy", "s3:PutLifecycleConfiguration", "s3:DeleteBucket", "s3:PutBucketVersioning")
    object_actions = (
        "s3:DeleteObjectVersion",
        "s3:PutObjectRetention",
        "s3:BypassGovernanceRetention",
        "s3:ListMultipartUploadParts",  # the SDK's uploader never lists parts
    )
    on_vault = [Request(action, vault.bucket_arn, {}, "bucket") for action in bucket_actions]
    on_vault += [Request(action, backup, {}, "object") for action in object_actions]
    on_vault += [Request(action, vault.key_arn, via_s3, "key") for action in ("kms:CreateGrant", "kms:ReEncryptFrom")]
    elsewhere = [
        Request("s3:GetObject", "arn:aws:s3:::another-bucket/x", {}, "other bucket"),
        Request("ec2:CreateSnapshot", f"arn:aws:ec2:{location.config['region']}::snapshot/snap-1", {}, "snapshot"),
        Request("iam:PassRole", f"arn:aws:iam::{stack.account}:role/any", {}, "iam"),
    ]
    allowed = [r for r in on_vault if stack.decide(role, r).allowed]
    allowed += [r for r in elsewhere if evaluate(stack.roles[role], None, role, r.action, r.resource).allowed]
    assert allowed == []


def test_the_rendered_locations_make_only_the_requests_the_data_lists(stack):
    """The data holds for a location without encryption or tagging keys, with a region, and without volume
    snapshots or file-system backups (which would call EC2 and Kopia)."""
    config = DATA["location_config"]
    for location in stack.locations:
        assert set(config["present"]) <= set(location.config), location
        assert not set(config["absent"]) & set(location.config), location
    for facts in stack.render.outputs["clusters"].values():
        manifests = facts["backup"]["manifests"]
        for application in _kind(manifests, "DataProtectionApplication"):
            assert "snapshotLocations" not in application["spec"]
            assert "nodeAgent" not in application["spec"]["configuration"]
        assert all(m["spec"]["template"]["snapshotVolumes"] is False for m in _kind(manifests, "Schedule"))


def test_a_vault_that_serves_no_cluster_yet_admits_no_writer_but_a_backup_role():
    """The shared vault admits the stack's backup roles by name pattern, before any exists: nobody else writes."""
    render = run(backup={"vault": "shared"}, clusters=[], accountRoleTopologies=["hcp"])
    (policy,) = render.of_type(BUCKET_POLICY)
    administrator = f"arn:aws:iam::{ACCOUNT_ID}:role/account-administrator"
    everything = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    key = f"arn:aws:s3:::{policy.inputs['bucket']}/daily/new-cluster/backups/x"
    decisions = [evaluate([everything], json.loads(policy.inputs["policy"]), administrator, a, key) for a in WRITES]
    assert not any(d.allowed for d in decisions), decisions


def test_the_vault_key_by_itself_admits_only_this_stacks_backup_roles(stack):
    """The key policy names the backup roles in a condition, not as principals (so the key waits for none of them):
    on its own it must still refuse every other role, however its name looks. Each candidate holds no identity policy,
    so only the key policy could let it in; the account root's statement delegates to IAM, which then refuses."""
    location = stack.locations[0]
    decrypt = next(r for r in stack.requests(location) if r.action == "kms:Decrypt")
    role_arns = {loc.role_arn for loc in stack.locations if loc.bucket == location.bucket}
    path = location.role_arn.rsplit("/", 1)[0]
    lookalikes = {
        f"{path}/intruder-openshift-adp-backup",  # this stack's path and the backup roles' suffix
        f"{path}/{location.role_arn.rsplit('/', 1)[1]}-copy",
        location.role_arn.replace(f":{stack.account}:", ":999999999999:"),  # another account, same name
        rendered("split-classic" if location.cluster == "split-hcp" else "split-hcp").locations[0].role_arn,
    }
    others = (set(stack.roles) - role_arns - {r for r in stack.roles if "replication" in r}) | lookalikes
    assert all(stack.decide(role, decrypt, identity=[]).allowed for role in role_arns)
    admitted = [role for role in sorted(others) if stack.decide(role, decrypt, identity=[]).allowed]
    assert admitted == []
