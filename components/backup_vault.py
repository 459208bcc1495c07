"""Where cluster backups live: an S3 vault that cannot be read without TLS, written without its KMS key, or emptied
by accident, with lifecycle rules that keep each backup frequency exactly as long as its Velero schedule says.

Layout: `<frequency>/<cluster>/...` (see `foundation.backup_plan`), so one lifecycle rule per frequency serves every
cluster of a shared vault and each cluster's backup role reaches only its own prefixes. Options: object lock with a
default retention equal to the longest backup retention; a replica in another region (its own KMS key, a
least-privilege replication role) for the region-loss case the seeds leave to the customer; access logs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.bucket import Grants, GuardedBucket, guard_bucket
from components.encryption_keys import EncryptionKeys, EncryptionKeysArgs, KeyGrant, KeySpec
from components.role import stack_role
from components.workload_roles import IrsaRole
from foundation import iam, naming
from foundation.backup_plan import lifecycle_prefix
from foundation.catalogue import BACKUP_FREQUENCIES, load_catalogue
from foundation.settings import (
    BackupSettings,
    ClusterSettings,
    StackSettings,
    access_log_bucket_name,
    replica_bucket_name,
)

# Velero's object calls on its own prefixes; nothing on the bucket's configuration, nothing account-wide.
BACKUP_OBJECT_ACTIONS = (
    "s3:AbortMultipartUpload",
    "s3:DeleteObject",
    "s3:GetObject",
    "s3:ListMultipartUploadParts",
    "s3:PutObject",
)
# What S3 does with the vault key on a backup role's behalf (SSE-KMS with a bucket key).
BACKUP_KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")
ABORT_INCOMPLETE_UPLOADS_DAYS = 1
BACKUP_ROLE_KEY = "openshift-adp/backup"  # the backup role's key among a cluster's IRSA roles


@dataclass(frozen=True)
class VaultBucket:
    name: str
    region: str
    guarded: GuardedBucket


@dataclass(frozen=True)
class BackupVaultArgs:
    settings: StackSettings
    bucket_name: str
    # cluster name -> its backup role ARN: the roles the vault key lets write and read backups
    writers: Mapping[str, pulumi.Output[str]]


class BackupVault(pulumi.ComponentResource):
    """Outputs: bucket_name, bucket_arn, kms_key_arn, and with the options on: replica_bucket_name,
    replica_kms_key_arn, replication_role_arn, log_bucket_name; summary (the stack output)."""

    summary: pulumi.Output[dict]

    def __init__(self, name: str, args: BackupVaultArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("rosa-foundation:backup:BackupVault", name, None, opts)
        settings = args.settings
        assert settings.backup
        backup = settings.backup
        self._name, self._settings, self._backup = name, settings, backup
        partition = settings.partition
        self.bucket_name = args.bucket_name
        self.bucket_arn = naming.arn(partition, "s3", args.bucket_name)
        replica_region = backup.replica_region
        replication_role = self._replication_role() if replica_region else None

        writer_arns = list(args.writers.values())
        writers = (
            (KeyGrant("BackupRoles", writer_arns, BACKUP_KEY_ACTIONS, _via_s3(settings.region)),) if writer_arns else ()
        )
        key_specs = [
            KeySpec(
                purpose="backups",
                description=f"Backups in s3://{args.bucket_name}",
                alias=f"rosa/backups/{args.bucket_name}",
                grants=(*writers, *self._replication_grant(replication_role, ("kms:Decrypt",), settings.region)),
            )
        ]
        if replica_region:
            key_specs.append(
                KeySpec(
                    purpose="replica",
                    description=f"Replica of s3://{args.bucket_name} in {replica_region}",
                    alias=f"rosa/backups/{args.bucket_name}-replica",
                    grants=self._replication_grant(
                        replication_role, ("kms:Encrypt", "kms:GenerateDataKey"), replica_region
                    ),
                    region=replica_region,
                )
            )
        keys = EncryptionKeys(
            f"{name}-keys", EncryptionKeysArgs(settings, tuple(key_specs)), pulumi.ResourceOptions(parent=self)
        )
        self.kms_key_arn = keys.key_arns["backups"]

        log_bucket = self._log_bucket() if backup.access_logging else None
        vault = self._bucket(f"{name}-bucket", args.bucket_name, settings.region, self.kms_key_arn)
        self._lifecycle(f"{name}-bucket", vault)
        if log_bucket is not None:
            aws.s3.BucketLogging(
                f"{name}-bucket-logging",
                bucket=vault.guarded.bucket.id,
                target_bucket=log_bucket.guarded.bucket.id,
                target_prefix=f"{args.bucket_name}/",
                # S3 refuses a log target whose policy does not yet admit log delivery.
                opts=pulumi.ResourceOptions(parent=self, depends_on=[log_bucket.guarded.policy]),
            )
        self.replica_bucket_name = self.replica_kms_key_arn = self.replication_role_arn = None
        if replica_region and replication_role is not None:
            replica_name = replica_bucket_name(args.bucket_name, replica_region)
            self.replica_kms_key_arn = keys.key_arns["replica"]
            replica = self._bucket(f"{name}-replica", replica_name, replica_region, self.replica_kms_key_arn)
            self._lifecycle(f"{name}-replica", replica)
            self._replicate(vault, replica, replica_region, replication_role, keys)
            self.replica_bucket_name = replica_name
            self.replication_role_arn = replication_role.arn
        self.log_bucket_name = access_log_bucket_name(args.bucket_name) if log_bucket is not None else None
        self.summary = pulumi.Output.all(
            bucket=self.bucket_name,
            bucketArn=self.bucket_arn,
            region=settings.region,
            kmsKeyArn=self.kms_key_arn,
            retentionDays={f: backup.retention_days.of(f) for f in BACKUP_FREQUENCIES},
            objectLock=(
                {"mode": backup.object_lock.mode, "days": backup.retention_days.longest} if backup.object_lock else None
            ),
            replicaBucket=self.replica_bucket_name,
            replicaRegion=replica_region,
            replicaKmsKeyArn=self.replica_kms_key_arn,
            accessLogBucket=self.log_bucket_name,
        )
        self.register_outputs({"summary": self.summary})

    # --- buckets ---------------------------------------------------------------------------------------------

    def _bucket(
        self,
        logical: str,
        bucket_name: str,
        region: str,
        kms_key_arn: pulumi.Output[str] | None,
        grants: Grants | None = None,
        object_lock: bool = True,
    ) -> VaultBucket:
        """A guarded bucket (components.bucket), protected and retained, with object lock where the settings ask."""
        settings, lock = self._settings, self._backup.object_lock if object_lock else None
        bucket = aws.s3.Bucket(
            logical,
            bucket=bucket_name,
            region=region,
            force_destroy=False,  # a bucket holding backups is never emptied to delete it
            object_lock_enabled=bool(lock),  # only at creation; changing it replaces the bucket (refused: protected)
            tags=dict(settings.tags),
            opts=pulumi.ResourceOptions(parent=self, protect=True, retain_on_delete=settings.retain_stateful_on_delete),
        )
        # Parented to the vault, not the bucket: children inherit `protect`, and only the bucket itself holds data.
        guarded = guard_bucket(logical, bucket, parent=self, region=region, kms_key_arn=kms_key_arn, grants=grants)
        if lock:
            aws.s3.BucketObjectLockConfiguration(
                f"{logical}-object-lock",
                bucket=bucket.id,
                region=region,
                rule={"default_retention": {"mode": lock.mode, "days": self._backup.retention_days.longest}},
                opts=pulumi.ResourceOptions(parent=self, depends_on=[guarded.versioning]),
            )
        return VaultBucket(bucket_name, region, guarded)

    def _lifecycle(self, logical: str, hardened: VaultBucket) -> None:
        aws.s3.BucketLifecycleConfiguration(
            f"{logical}-lifecycle",
            bucket=hardened.guarded.bucket.id,
            region=hardened.region,
            rules=lifecycle_rules(self._backup),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[hardened.guarded.versioning]),
        )

    def _log_bucket(self) -> VaultBucket:
        settings, source_arn = self._settings, self.bucket_arn
        name = access_log_bucket_name(self.bucket_name)

        def logging_delivery(log_arn: pulumi.Output[str]) -> pulumi.Output[tuple[iam.Statement, ...]]:
            return log_arn.apply(lambda arn: (_log_delivery(arn, self.bucket_name, source_arn, settings.account_id),))

        log_bucket = self._bucket(
            f"{self._name}-logs", name, settings.region, None, grants=logging_delivery, object_lock=False
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{self._name}-logs-lifecycle",
            bucket=log_bucket.guarded.bucket.id,
            region=settings.region,
            rules=[
                {
                    "id": "expire-access-logs",
                    "status": "Enabled",
                    "filter": {"prefix": ""},
                    "expiration": {"days": self._backup.access_log_retention_days},
                    "noncurrent_version_expiration": {"noncurrent_days": self._backup.noncurrent_version_days},
                }
            ],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[log_bucket.guarded.versioning]),
        )
        return log_bucket

    # --- replication -----------------------------------------------------------------------------------------

    def _replication_role(self) -> aws.iam.Role:
        settings = self._settings
        trust = iam.PolicyDocument(
            (
                iam.Statement(
                    "Allow",
                    ("sts:AssumeRole",),
                    principal=iam.Principal.service("s3.amazonaws.com"),
                    # Only S3 replicating this vault may use the role (confused-deputy guard).
                    conditions=(
                        iam.Condition("StringEquals", "aws:SourceAccount", (settings.account_id,)),
                        iam.Condition("ArnLike", "aws:SourceArn", (self.bucket_arn,)),
                    ),
                ),
            ),
            use="trust",
        )
        return stack_role(
            f"{self._name}-replication-role",
            role_name=naming.iam_name(*settings.replication_role_name_parts(self.bucket_name)),
            description=f"S3 replication of backup vault {self.bucket_name} to {self._backup.replica_region}",
            trust_policy=trust.to_json(),
            settings=settings,
            tags=settings.tags,
            parent=self,
        )

    def _replication_grant(
        self, role: aws.iam.Role | None, actions: tuple[str, ...], region: str
    ) -> tuple[KeyGrant, ...]:
        return (KeyGrant("Replication", [role.arn], actions, _via_s3(region)),) if role is not None else ()

    def _replicate(
        self,
        vault: VaultBucket,
        replica: VaultBucket,
        replica_region: str,
        role: aws.iam.Role,
        keys: EncryptionKeys,
    ) -> None:
        settings = self._settings
        replica_arn = naming.arn(settings.partition, "s3", replica.name)
        policy = pulumi.Output.all(keys.key_arns["backups"], keys.key_arns["replica"]).apply(
            lambda arns: replication_policy(
                self.bucket_arn, replica_arn, arns[0], arns[1], settings.region, replica_region, self._backup
            )
        )
        role_policy = aws.iam.RolePolicy(
            f"{self._name}-replication-role-policy",
            role=role.name,
            name="replicate-backups",
            policy=policy,
            opts=pulumi.ResourceOptions(parent=role),
        )
        aws.s3.BucketReplicationConfig(
            f"{self._name}-replication",
            bucket=vault.guarded.bucket.id,
            region=settings.region,
            role=role.arn,
            rules=[
                {
                    "id": "copy-to-replica-region",
                    "status": "Enabled",
                    "filter": {"prefix": ""},
                    # A deletion in the vault (by mistake or by an attacker) never reaches the replica.
                    "delete_marker_replication": {"status": "Disabled"},
                    "source_selection_criteria": {"sse_kms_encrypted_objects": {"status": "Enabled"}},
                    "destination": {
                        "bucket": replica_arn,
                        "storage_class": "STANDARD",
                        "encryption_configuration": {"replica_kms_key_id": keys.key_arns["replica"]},
                    },
                }
            ],
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[vault.guarded.versioning, replica.guarded.versioning, role_policy]
            ),
        )


# --- documents and rules (pure) ---------------------------------------------------------------------------------


def lifecycle_rules(backup: BackupSettings) -> list[dict]:
    """One expiry rule per frequency prefix (the retention Velero's TTLs use too), and one housekeeping rule."""
    rules: list[dict] = [
        {
            "id": f"expire-{frequency}-backups",
            "status": "Enabled",
            "filter": {"prefix": lifecycle_prefix(frequency)},
            "expiration": {"days": backup.retention_days.of(frequency)},
        }
        for frequency in BACKUP_FREQUENCIES
    ]
    rules.append(
        {
            "id": "housekeeping",
            "status": "Enabled",
            "filter": {"prefix": ""},
            # Overwritten or deleted backups stay recoverable this long (and object lock may hold them longer).
            "noncurrent_version_expiration": {"noncurrent_days": backup.noncurrent_version_days},
            "abort_incomplete_multipart_upload": {"days_after_initiation": ABORT_INCOMPLETE_UPLOADS_DAYS},
            "expiration": {"expired_object_delete_marker": True},
        }
    )
    return rules


def _log_delivery(log_bucket_arn: str, vault: str, vault_arn: str, account_id: str) -> iam.Statement:
    """S3 server access logging may write the vault's logs under `<vault>/`, for this vault and account only."""
    return iam.Statement(
        "Allow",
        ("s3:PutObject",),
        resources=(f"{log_bucket_arn}/{vault}/*",),
        principal=iam.Principal.service("logging.s3.amazonaws.com"),
        conditions=(
            iam.Condition("ArnLike", "aws:SourceArn", (vault_arn,)),
            iam.Condition("StringEquals", "aws:SourceAccount", (account_id,)),
        ),
        sid="S3ServerAccessLogs",
    )


def backup_role(cluster: ClusterSettings, settings: StackSettings, bucket_name: str) -> IrsaRole:
    """The IRSA role of the cluster's OADP/Velero: its own prefixes of its vault, nothing else."""
    oadp = load_catalogue().backup.oadp
    bucket_arn = naming.arn(settings.partition, "s3", bucket_name)
    prefixes = [f"{lifecycle_prefix(f)}{cluster.name}/" for f in BACKUP_FREQUENCIES]
    statements = (
        iam.Statement(
            "Allow",
            ("s3:ListBucket",),
            resources=(bucket_arn,),
            conditions=(iam.Condition("StringLike", "s3:prefix", tuple(f"{p}*" for p in prefixes)),),
            sid="ListOwnBackups",
        ),
        iam.Statement(
            "Allow", BACKUP_OBJECT_ACTIONS, resources=tuple(f"{bucket_arn}/{p}*" for p in prefixes), sid="OwnBackups"
        ),
    )
    return IrsaRole(
        key=BACKUP_ROLE_KEY,
        role_name=naming.iam_name(*cluster.backup_role_name_parts()),
        description=f"OADP/Velero backups of ROSA cluster {cluster.name} to s3://{bucket_name}",
        subjects=oadp.subjects,
        audience=oadp.token_audience,
        statements=statements,
    )


def replication_policy(
    source_arn: str,
    replica_arn: str,
    source_key_arn: str,
    replica_key_arn: str,
    source_region: str,
    replica_region: str,
    backup: BackupSettings,
) -> str:
    read_versions = ["s3:GetObjectVersionAcl", "s3:GetObjectVersionForReplication", "s3:GetObjectVersionTagging"]
    if backup.object_lock:
        read_versions += ["s3:GetObjectLegalHold", "s3:GetObjectRetention"]
    statements = (
        iam.Statement(
            "Allow", ("s3:GetReplicationConfiguration", "s3:ListBucket"), resources=(source_arn,), sid="ReadVaultConfig"
        ),
        iam.Statement("Allow", tuple(read_versions), resources=(f"{source_arn}/*",), sid="ReadVaultVersions"),
        iam.Statement(
            "Allow", ("s3:ReplicateObject", "s3:ReplicateTags"), resources=(f"{replica_arn}/*",), sid="WriteReplica"
        ),
        iam.Statement(
            "Allow",
            ("kms:Decrypt",),
            resources=(source_key_arn,),
            conditions=(*_via_s3(source_region), _encryption_context(source_arn)),
            sid="DecryptVault",
        ),
        iam.Statement(
            "Allow",
            ("kms:Encrypt", "kms:GenerateDataKey"),
            resources=(replica_key_arn,),
            conditions=(*_via_s3(replica_region), _encryption_context(replica_arn)),
            sid="EncryptReplica",
        ),
    )
    return iam.PolicyDocument(statements).to_json()


def _via_s3(region: str) -> tuple[iam.Condition, ...]:
    return (iam.Condition("StringEquals", "kms:ViaService", (f"s3.{region}.amazonaws.com",)),)


def _encryption_context(bucket_arn: str) -> iam.Condition:
    # With a bucket key the context is the bucket's ARN; without one, the object's.
    return iam.Condition("StringLike", "kms:EncryptionContext:aws:s3:arn", (bucket_arn, f"{bucket_arn}/*"))
