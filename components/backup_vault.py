"""Where cluster backups live: an S3 vault that cannot be read without TLS, written without its KMS key, or emptied
by accident, with lifecycle rules that keep each backup frequency exactly as long as its Velero schedule says.

Layout: `<frequency>/<cluster>/...` (see `foundation.backup_plan`), so one lifecycle rule per frequency serves every
cluster of a shared vault and each cluster's backup role reaches only its own prefixes. Options: object lock with a
default retention equal to the longest backup retention; a replica in another region (its own KMS key, a
least-privilege replication role) for the region-loss case the seeds leave to the customer; access logs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.bucket import Grants, GuardedBucket, guard_bucket
from components.encryption_keys import EncryptionKeys, EncryptionKeysArgs, KeyDefaults, KeyGrant, KeySpec
from components.role import RoleDefaults, stack_role
from foundation import iam, naming
from foundation.backup_plan import VaultPlan
from foundation.names import StackNames, VaultNames
from foundation.outputs import VaultOutputs
from foundation.project import type_token
from foundation.settings import BackupSettings

# What S3 does with the vault key on a backup role's behalf (SSE-KMS with a bucket key).
BACKUP_KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")
# What changes or removes a vault's objects: only the clusters' backup roles may (each in its own prefixes, by its
# identity policy), whatever other principals' policies allow.
VAULT_OBJECT_WRITES = ("s3:AbortMultipartUpload", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObject")


@dataclass(frozen=True)
class VaultBucket:
    name: str
    region: str
    guarded: GuardedBucket


@dataclass(frozen=True)
class BackupVaultArgs:
    """One vault: its plan (bucket, retention, the clusters it serves), its protections and its resources' names."""

    plan: VaultPlan
    backup: BackupSettings  # object lock, replica region, access logging
    names: VaultNames
    account_id: str
    partition: str
    key_defaults: KeyDefaults
    role_defaults: RoleDefaults

    @classmethod
    def of(cls, names: StackNames, plan: VaultPlan) -> BackupVaultArgs:
        """The vault of `plan` as the stack's settings describe it (they must have a `backup` block)."""
        settings = names.settings
        if settings.backup is None:
            raise ValueError("the stack's settings have no backup block: no vault to make")
        return cls(
            plan=plan,
            backup=settings.backup,
            names=names.vault_names(plan.bucket),
            account_id=settings.account_id,
            partition=settings.partition,
            key_defaults=KeyDefaults.of(settings),
            role_defaults=RoleDefaults.of(settings),
        )


class BackupVault(pulumi.ComponentResource):
    """Outputs: bucket_name, bucket_arn, kms_key_arn; with a replica region replica_bucket_name, replica_kms_key_arn,
    replication_role_arn (else None); with access logging log_bucket_name (else None); summary (`VaultOutputs`, the
    stack output)."""

    bucket_name: str
    bucket_arn: str
    kms_key_arn: pulumi.Output[str]
    replica_bucket_name: str | None
    replica_kms_key_arn: pulumi.Output[str] | None
    replication_role_arn: pulumi.Output[str] | None
    log_bucket_name: str | None
    summary: pulumi.Output[VaultOutputs]

    def __init__(self, name: str, args: BackupVaultArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(type_token("backup", "BackupVault"), name, None, opts)
        plan, backup, names = args.plan, args.backup, args.names
        self._name, self._args, self._backup = name, args, backup
        self.bucket_name, self.bucket_arn = plan.bucket, plan.bucket_arn
        replica_region = backup.replica_region
        replication_role = self._replication_role() if replica_region else None

        # The backup roles, through S3, for this vault's objects only. Named by the condition, not as principals: KMS
        # refuses a principal that does not exist yet, so the key (and the replication behind it) would wait for
        # every cluster's roles, and those for their issuers.
        writers = ()
        if plan.backup_role_arns:
            key_use = (
                *_via_s3(plan.region),
                _encryption_context(plan.bucket_arn),
                _backup_roles(plan.backup_role_arns),
            )
            writers = (KeyGrant("BackupRoles", ["*"], BACKUP_KEY_ACTIONS, key_use),)
        key_specs = [
            KeySpec(
                purpose="backups",
                description=f"Backups in s3://{plan.bucket}",
                alias=names.key_alias,
                grants=(*writers, *self._replication_grant(replication_role, ("kms:Decrypt",), plan.region)),
            )
        ]
        if replica_region:
            key_specs.append(
                KeySpec(
                    purpose="replica",
                    description=f"Replica of s3://{plan.bucket} in {replica_region}",
                    alias=names.replica_key_alias,
                    grants=self._replication_grant(
                        replication_role, ("kms:Encrypt", "kms:GenerateDataKey"), replica_region
                    ),
                    region=replica_region,
                )
            )
        keys = EncryptionKeys(
            f"{name}-keys",
            EncryptionKeysArgs(tuple(key_specs), args.key_defaults),
            pulumi.ResourceOptions(parent=self),
        )
        self.kms_key_arn = keys.key_arns["backups"]

        log_bucket = self._log_bucket(names.access_log_bucket) if names.access_log_bucket else None
        vault = self._bucket(
            f"{name}-bucket",
            plan.bucket,
            plan.region,
            self.kms_key_arn,
            grants=lambda arn: arn.apply(
                lambda vault_arn: (_only_backup_roles_write(vault_arn, plan.backup_role_arns),)
            ),
        )
        self._lifecycle(f"{name}-bucket", vault)
        if log_bucket is not None:
            aws.s3.BucketLogging(
                f"{name}-bucket-logging",
                bucket=vault.guarded.bucket.id,
                target_bucket=log_bucket.guarded.bucket.id,
                target_prefix=f"{plan.bucket}/",
                # S3 refuses a log target whose policy does not yet admit log delivery.
                opts=pulumi.ResourceOptions(parent=self, depends_on=[log_bucket.guarded.policy]),
            )
        self.replica_bucket_name = self.replica_kms_key_arn = self.replication_role_arn = None
        if replica_region and replication_role is not None and names.replica_bucket:
            self.replica_kms_key_arn = keys.key_arns["replica"]
            replica = self._bucket(f"{name}-replica", names.replica_bucket, replica_region, self.replica_kms_key_arn)
            self._lifecycle(f"{name}-replica", replica)
            self._replicate(vault, replica, replica_region, replication_role, keys)
            self.replica_bucket_name = names.replica_bucket
            self.replication_role_arn = replication_role.arn
        self.log_bucket_name = names.access_log_bucket
        # Output.all of keywords resolves to exactly these keys: a VaultOutputs.
        self.summary = pulumi.Output.all(
            bucket=self.bucket_name,
            bucketArn=self.bucket_arn,
            region=plan.region,
            kmsKeyArn=self.kms_key_arn,
            retentionDays=dict(plan.retention_days),
            objectLock=(
                {"mode": backup.object_lock.mode, "days": backup.retention_days.longest} if backup.object_lock else None
            ),
            replicaBucket=self.replica_bucket_name,
            replicaRegion=replica_region,
            replicaKmsKeyArn=self.replica_kms_key_arn,
            accessLogBucket=self.log_bucket_name,
        )  # type: ignore[assignment]
        self.register_outputs(
            {
                "bucket_name": self.bucket_name,
                "bucket_arn": self.bucket_arn,
                "kms_key_arn": self.kms_key_arn,
                "replica_bucket_name": self.replica_bucket_name,
                "replica_kms_key_arn": self.replica_kms_key_arn,
                "replication_role_arn": self.replication_role_arn,
                "log_bucket_name": self.log_bucket_name,
                "summary": self.summary,
            }
        )

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
        lock = self._backup.object_lock if object_lock else None
        bucket = aws.s3.Bucket(
            logical,
            bucket=bucket_name,
            region=region,
            force_destroy=False,  # a bucket holding backups is never emptied to delete it
            object_lock_enabled=bool(lock),  # only at creation; changing it replaces the bucket (refused: protected)
            opts=pulumi.ResourceOptions(
                parent=self, protect=True, retain_on_delete=self._args.key_defaults.retain_on_delete
            ),
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
            rules=self._args.plan.lifecycle_rules(),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[hardened.guarded.versioning]),
        )

    def _log_bucket(self, name: str) -> VaultBucket:
        args, source_arn, region = self._args, self.bucket_arn, self._args.plan.region

        def logging_delivery(log_arn: pulumi.Output[str]) -> pulumi.Output[tuple[iam.Statement, ...]]:
            return log_arn.apply(lambda arn: (_log_delivery(arn, self.bucket_name, source_arn, args.account_id),))

        log_bucket = self._bucket(f"{self._name}-logs", name, region, None, grants=logging_delivery, object_lock=False)
        aws.s3.BucketLifecycleConfiguration(
            f"{self._name}-logs-lifecycle",
            bucket=log_bucket.guarded.bucket.id,
            region=region,
            rules=[
                {
                    "id": "expire-access-logs",
                    "status": "Enabled",
                    "filter": {"prefix": ""},
                    "expiration": {"days": self._backup.access_log_retention_days},
                    "noncurrent_version_expiration": {"noncurrent_days": self._args.plan.noncurrent_version_days},
                }
            ],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[log_bucket.guarded.versioning]),
        )
        return log_bucket

    # --- replication -----------------------------------------------------------------------------------------

    def _replication_role(self) -> aws.iam.Role:
        args = self._args
        trust = iam.PolicyDocument(
            (
                iam.Statement(
                    "Allow",
                    ("sts:AssumeRole",),
                    principal=iam.Principal.service("s3.amazonaws.com"),
                    # Only S3 replicating this vault may use the role (confused-deputy guard).
                    conditions=(
                        iam.Condition("StringEquals", "aws:SourceAccount", (args.account_id,)),
                        iam.Condition("ArnLike", "aws:SourceArn", (self.bucket_arn,)),
                    ),
                ),
            ),
            use="trust",
        )
        return stack_role(
            f"{self._name}-replication-role",
            role_name=str(args.names.replication_role),
            description=f"S3 replication of backup vault {self.bucket_name} to {self._backup.replica_region}",
            trust_policy=trust.to_json(),
            defaults=args.role_defaults,
            tags=None,
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
        region = self._args.plan.region
        replica_arn = naming.arn(self._args.partition, "s3", replica.name)
        policy = pulumi.Output.all(keys.key_arns["backups"], keys.key_arns["replica"]).apply(
            lambda arns: replication_policy(
                self.bucket_arn, replica_arn, arns[0], arns[1], region, replica_region, self._backup
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
            region=region,
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


def _only_backup_roles_write(vault_arn: str, backup_role_arns: Sequence[str]) -> iam.Statement:
    """Nobody but the backup roles writes or deletes the vault's objects: not ROSA's classic installer and image
    registry roles (s3:PutObject and s3:DeleteObject on "*"), not an administrator. Without backup roles, nobody."""
    exempt = (
        (iam.Condition("ArnNotEquals", "aws:PrincipalArn", _backup_roles(backup_role_arns).values),)
        if backup_role_arns
        else ()
    )
    return iam.Statement(
        "Deny",
        VAULT_OBJECT_WRITES,
        resources=(f"{vault_arn}/*",),
        principal=iam.Principal.aws("*"),
        conditions=exempt,
        sid="OnlyBackupRolesWrite",
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


def _backup_roles(backup_role_arns: Sequence[str]) -> iam.Condition:
    """Exactly these roles, by ARN. A condition compares the caller's ARN as text, so it may name roles that do not
    exist yet; a role deleted and made again under the same name and path matches again (a principal would not)."""
    return iam.Condition("ArnEquals", "aws:PrincipalArn", tuple(sorted(set(backup_role_arns))))


def _via_s3(region: str) -> tuple[iam.Condition, ...]:
    return (iam.Condition("StringEquals", "kms:ViaService", (f"s3.{region}.amazonaws.com",)),)


def _encryption_context(bucket_arn: str) -> iam.Condition:
    # With a bucket key the context is the bucket's ARN; without one, the object's.
    return iam.Condition("StringLike", "kms:EncryptionContext:aws:s3:arn", (bucket_arn, f"{bucket_arn}/*"))
