"""Where cluster backups live: an S3 vault that cannot be read without TLS, written without its KMS key, or emptied
by accident, with lifecycle rules that keep each backup frequency exactly as long as its Velero schedule says.

Layout: `<frequency>/<cluster>/...` (see `foundation.backup_plan`), so one lifecycle rule per frequency serves every
cluster of a shared vault and each cluster's backup role reaches only its own prefixes. Object lock (GOVERNANCE by
default) with a default retention equal to the longest backup retention. Options: a replica in another region (its
own KMS key, a least-privilege replication role) for the region-loss case the seeds leave to the customer; access
logs.

Out of the pipeline's reach: the vault's and the replica's policies refuse every call that lowers or redirects their
protections (lifecycle, object lock, replication, versioning, encryption, the policy itself, deleting the bucket) and
every version deletion to all but the settings' administrator, and their keys' policies refuse changing the key
policy, disabling the key or scheduling its deletion likewise. Those policies name the backup roles by pattern, never
one by one, so a pipeline that adds a cluster changes neither; and each policy is put last, after the settings it
then refuses, so the pipeline can still create a vault.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.bucket import GuardedBucket, guard_bucket, guard_policy
from components.encryption_keys import EncryptionKeys, EncryptionKeysArgs, KeyDefaults, KeyGrant, KeySpec
from components.role import RoleDefaults, stack_role
from foundation import iam, naming
from foundation.backup_plan import VaultPlan
from foundation.ci_permissions import KEY_READS
from foundation.names import StackNames, VaultNames
from foundation.outputs import VaultOutputs
from foundation.project import type_token
from foundation.settings import BackupSettings

# What S3 does with the vault key on a backup role's behalf (SSE-KMS with a bucket key).
BACKUP_KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")
# What changes or removes a vault's current objects: only the clusters' backup roles may (each in its own prefixes, by
# its identity policy), whatever other principals' policies allow; in a replica, only S3 replicating the vault.
OBJECT_WRITES = ("s3:AbortMultipartUpload", "s3:DeleteObject", "s3:PutObject")
REPLICATION_WRITES = ("s3:ReplicateDelete", "s3:ReplicateObject", "s3:ReplicateTags")
# What removes a backup for good or shortens its lock: only the vault's administrator.
VERSION_REMOVALS = (
    "s3:BypassGovernanceRetention",
    "s3:DeleteObjectVersion",
    "s3:PutObjectLegalHold",
    "s3:PutObjectRetention",
)
# What lowers or redirects a vault's protections (each Put* also authorises the matching Delete*, e.g. the lifecycle's
# DeleteBucketLifecycle): only the vault's administrator.
PROTECTIONS = (
    "s3:DeleteBucket",
    "s3:DeleteBucketPolicy",
    "s3:PutBucketLogging",
    "s3:PutBucketObjectLockConfiguration",
    "s3:PutBucketOwnershipControls",
    "s3:PutBucketPolicy",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutBucketVersioning",
    "s3:PutEncryptionConfiguration",
    "s3:PutLifecycleConfiguration",
    "s3:PutReplicationConfiguration",
)


@dataclass(frozen=True)
class VaultBucket:
    name: str
    region: str
    guarded: GuardedBucket
    # Its settings, which its policy (put last, `_seal`) waits for: the policy refuses their calls to the pipeline.
    settings: list[pulumi.Resource]


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
    # ARN patterns of the roles that write and read backups through the vault key (`StackNames.vault_writers`)
    writers: tuple[str, ...]
    administrator: str  # the one role that may lower the vault's protections (`backup.administratorArn`)

    @classmethod
    def of(
        cls, names: StackNames, plan: VaultPlan, role_defaults: RoleDefaults, key_defaults: KeyDefaults
    ) -> BackupVaultArgs:
        """The vault of `plan` as the stack's settings describe it (they must have a `backup` block)."""
        settings = names.settings
        if settings.backup is None or settings.backup.administrator_arn is None:
            raise ValueError("the stack's settings have no backup block with an administrator: no vault to make")
        return cls(
            plan=plan,
            backup=settings.backup,
            names=names.vault_names(plan.bucket),
            account_id=settings.account_id,
            partition=settings.partition,
            key_defaults=key_defaults,
            role_defaults=role_defaults,
            writers=names.vault_writers(plan.bucket),
            administrator=settings.backup.administrator_arn,
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

        # The backup roles, matched by ARN pattern (a key policy may name only roles that exist, one by one): this
        # account's, through S3, for this vault's objects only.
        writers = (
            (
                KeyGrant(
                    "BackupRoles",
                    ["*"],
                    BACKUP_KEY_ACTIONS,
                    (
                        iam.Condition("StringEquals", "kms:CallerAccount", (args.account_id,)),
                        iam.Condition("ArnLike", "aws:PrincipalArn", args.writers),
                        *_via_s3(plan.region),
                        _encryption_context(plan.bucket_arn),
                    ),
                ),
            )
            if args.writers
            else ()
        )
        key_specs = [
            KeySpec(
                purpose="backups",
                description=f"Backups in s3://{plan.bucket}",
                alias=names.key_alias,
                grants=(*writers, *self._replication_grant(replication_role, ("kms:Decrypt",), plan.region)),
                pipeline_actions=KEY_READS,  # the vault keys' policies are the administrator's
                administrator=args.administrator,
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
                    pipeline_actions=KEY_READS,
                    administrator=args.administrator,
                )
            )
        keys = EncryptionKeys(
            f"{name}-keys",
            EncryptionKeysArgs(tuple(key_specs), args.key_defaults),
            pulumi.ResourceOptions(parent=self),
        )
        self.kms_key_arn = keys.key_arns["backups"]

        log_bucket = self._log_bucket(names.access_log_bucket) if names.access_log_bucket else None
        vault = self._bucket(f"{name}-bucket", plan.bucket, plan.region, self.kms_key_arn)
        self._lifecycle(f"{name}-bucket", vault)
        if log_bucket is not None:
            log_target, log_policy = log_bucket
            vault.settings.append(
                aws.s3.BucketLogging(
                    f"{name}-bucket-logging",
                    bucket=vault.guarded.bucket.id,
                    target_bucket=log_target.id,
                    target_prefix=f"{plan.bucket}/",
                    # S3 refuses a log target whose policy does not yet admit log delivery.
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[log_policy]),
                )
            )
        self.replica_bucket_name = self.replica_kms_key_arn = self.replication_role_arn = None
        if replica_region and replication_role is not None and names.replica_bucket and names.replication_role_arn:
            self.replica_kms_key_arn = keys.key_arns["replica"]
            replica = self._bucket(f"{name}-replica", names.replica_bucket, replica_region, self.replica_kms_key_arn)
            self._lifecycle(f"{name}-replica", replica)
            vault.settings.append(self._replicate(vault, replica, replica_region, replication_role, keys))
            self._seal(f"{name}-replica", replica, writers=(), replicator=names.replication_role_arn)
            self.replica_bucket_name = names.replica_bucket
            self.replication_role_arn = replication_role.arn
        self._seal(f"{name}-bucket", vault, writers=args.writers)
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
            administratorArn=args.administrator,
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
        object_lock: bool = True,
    ) -> VaultBucket:
        """A guarded bucket (components.bucket), protected and retained, with object lock where the settings ask, and
        no policy yet (`_seal`)."""
        lock = self._backup.object_lock if object_lock else None
        bucket = aws.s3.Bucket(
            logical,
            bucket=bucket_name,
            region=region,
            force_destroy=False,  # a bucket holding backups is never emptied to delete it
            # No objectLockEnabled: setting it replaces the bucket. The lock's configuration below turns object lock on,
            # for a new bucket and an existing versioned one alike (render/protection.py explains a change to it).
            opts=pulumi.ResourceOptions(
                parent=self, protect=True, retain_on_delete=self._args.key_defaults.retain_on_delete
            ),
        )
        # Parented to the vault, not the bucket: children inherit `protect`, and only the bucket itself holds data.
        guarded = guard_bucket(logical, bucket, parent=self, region=region, kms_key_arn=kms_key_arn, policy=False)
        settings = list(guarded.baseline)
        if lock:
            settings.append(
                aws.s3.BucketObjectLockConfiguration(
                    f"{logical}-object-lock",
                    bucket=bucket.id,
                    region=region,
                    rule={"default_retention": {"mode": lock.mode, "days": self._backup.retention_days.longest}},
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[guarded.versioning]),
                )
            )
        return VaultBucket(bucket_name, region, guarded, settings)

    def _seal(
        self, logical: str, vault: VaultBucket, writers: tuple[str, ...], replicator: str | None = None
    ) -> aws.s3.BucketPolicy:
        """The vault's (or replica's) policy, once every setting it then refuses to all but the administrator is in
        place: `writers` alone write objects (and `replicator`, through replication), the administrator alone deletes
        versions and lowers the protections."""
        administrator, arn = self._args.administrator, naming.arn(self._args.partition, "s3", vault.name)
        statements = protection_statements(arn, writers, administrator, replicator)
        return guard_policy(
            logical,
            vault.guarded.bucket,
            parent=self,
            region=vault.region,
            grants=lambda bucket_arn: bucket_arn.apply(lambda _arn: statements),
            after=vault.settings,
        )

    def _lifecycle(self, logical: str, vault: VaultBucket) -> None:
        vault.settings.append(
            aws.s3.BucketLifecycleConfiguration(
                f"{logical}-lifecycle",
                bucket=vault.guarded.bucket.id,
                region=vault.region,
                rules=self._args.plan.lifecycle_rules(),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[vault.guarded.versioning]),
            )
        )

    def _log_bucket(self, name: str) -> tuple[aws.s3.Bucket, aws.s3.BucketPolicy]:
        """The access-log bucket and its policy (log delivery checks the policy before it writes)."""
        args, source_arn, region = self._args, self.bucket_arn, self._args.plan.region

        def logging_delivery(log_arn: pulumi.Output[str]) -> pulumi.Output[tuple[iam.Statement, ...]]:
            return log_arn.apply(lambda arn: (_log_delivery(arn, self.bucket_name, source_arn, args.account_id),))

        log_bucket = self._bucket(f"{self._name}-logs", name, region, None, object_lock=False)
        policy = guard_policy(
            f"{self._name}-logs",
            log_bucket.guarded.bucket,
            parent=self,
            region=region,
            grants=logging_delivery,
            after=(log_bucket.guarded.access_block,),
        )
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
        return log_bucket.guarded.bucket, policy

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
    ) -> aws.s3.BucketReplicationConfig:
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
        return aws.s3.BucketReplicationConfig(
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


def protection_statements(
    bucket_arn: str, writers: tuple[str, ...], administrator: str, replicator: str | None = None
) -> tuple[iam.Statement, ...]:
    """What a vault's (or its replica's) policy refuses, whatever other principals' policies allow (ROSA's classic
    Installer and image-registry roles may write, delete versions of and reconfigure any bucket; an account
    administrator anything): object writes to all but `writers` (ARN patterns; none: nobody) and, through
    replication, `replicator`; version deletions and every lowering of the bucket's protections to all but
    `administrator`."""
    objects = f"{bucket_arn}/*"
    statements = [_only(OBJECT_WRITES, objects, writers, "OnlyBackupRolesWrite" if writers else "NobodyWritesObjects")]
    if replicator:
        statements.append(_only(REPLICATION_WRITES, objects, (replicator,), "OnlyReplicationWrites"))
    statements.append(_only(VERSION_REMOVALS, objects, (administrator,), "OnlyTheAdministratorRemovesVersions"))
    statements.append(_only(PROTECTIONS, bucket_arn, (administrator,), "OnlyTheAdministratorLowersProtection"))
    return tuple(statements)


def _only(actions: tuple[str, ...], resource: str, principals: tuple[str, ...], sid: str) -> iam.Statement:
    """Deny `actions` on `resource` to every principal but `principals` (ARNs or ARN patterns; none: everyone)."""
    exempt = (iam.Condition("ArnNotLike", "aws:PrincipalArn", tuple(sorted(set(principals)))),) if principals else ()
    return iam.Statement(
        "Deny", actions, resources=(resource,), principal=iam.Principal.aws("*"), conditions=exempt, sid=sid
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
