"""The backup plan of one vault, and the OADP / Velero manifests that carry it out.

One `VaultPlan` per vault, built from the retention settings and the names of the clusters it serves (never a
component's logical name), yields everything that must agree: the vault's lifecycle rules, each cluster's backup
role (confined to its own prefixes) and each cluster's Velero schedules. A backup's TTL and the bucket's expiry for
its prefix are the same number by construction, and the prefix Velero writes to is the prefix its role may write.

Layout: `<frequency>/<cluster>/...`, the frequency first, so one lifecycle rule per frequency serves every cluster of
a shared vault.

The manifests are typed models whose field names are those of the CRDs they target, with unknown fields refused:
OADP's `DataProtectionApplication` (oadp.openshift.io/v1alpha1, `spec.backupLocations[].name/.velero`) and Velero's
`Schedule` (velero.io/v1, `spec.schedule/.template`), as in openshift/oadp-operator `config/crd/bases/` and
vmware-tanzu/velero `config/crd/v1/bases/`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from foundation import iam
from foundation.catalogue import BACKUP_FREQUENCIES, BackupFrequency, load_catalogue
from foundation.irsa import IrsaRole
from foundation.names import StackNames
from foundation.settings.models import BackupSettings, ClusterSettings, StackSettings

CREDENTIALS_SECRET = "cloud-credentials"
CREDENTIALS_KEY = "credentials"
# Where OpenShift projects the service account token whose audience is `openshift` (the backup role's trust).
TOKEN_FILE = "/var/run/secrets/openshift/serviceaccount/token"
ABORT_INCOMPLETE_UPLOADS_DAYS = 1
# Velero's object calls on its own prefixes (tests/data/velero_requests.yaml: HeadObject and GetObject, PutObject and
# the multipart upload it becomes, AbortMultipartUpload, DeleteObject); nothing on the bucket's configuration, nothing
# account-wide.
BACKUP_OBJECT_ACTIONS = (
    "s3:AbortMultipartUpload",
    "s3:DeleteObject",
    "s3:GetObject",
    "s3:PutObject",
)
BACKUP_ROLE_KEY = "openshift-adp/backup"  # the backup role's key in logical names


def lifecycle_prefix(frequency: BackupFrequency) -> str:
    """`hourly/`: every backup of one frequency, whichever cluster made it."""
    return f"{frequency}/"


@dataclass(frozen=True)
class VaultPlan:
    """Where and how long one vault keeps backups, and for which clusters (by their ROSA names)."""

    bucket: str
    bucket_arn: str
    region: str
    retention_days: Mapping[BackupFrequency, int]
    noncurrent_version_days: int
    clusters: tuple[str, ...]
    # The ARNs of those clusters' backup roles, from the settings alone: the vault's bucket and key policies admit
    # exactly them without waiting for the roles to exist (a policy condition may name a role before it exists; a key
    # policy's principal may not).
    backup_role_arns: tuple[str, ...]

    def prefix(self, frequency: BackupFrequency, cluster: str) -> str:
        """`hourly/<cluster>`: where Velero keeps `cluster`'s backups of `frequency`."""
        return f"{lifecycle_prefix(frequency)}{cluster}"

    def ttl(self, frequency: BackupFrequency) -> str:
        """Velero's TTL (a Go duration) for `frequency`: exactly the days the bucket keeps that prefix."""
        return f"{self.retention_days[frequency] * 24}h0m0s"

    def lifecycle_rules(self) -> list[dict[str, Any]]:
        """One expiry rule per frequency prefix (the retention Velero's TTLs use too), and one housekeeping rule."""
        rules: list[dict[str, Any]] = [
            {
                "id": f"expire-{frequency}-backups",
                "status": "Enabled",
                "filter": {"prefix": lifecycle_prefix(frequency)},
                "expiration": {"days": self.retention_days[frequency]},
            }
            for frequency in BACKUP_FREQUENCIES
        ]
        rules.append(
            {
                "id": "housekeeping",
                "status": "Enabled",
                "filter": {"prefix": ""},
                # Overwritten or deleted backups stay recoverable this long (and object lock may hold them longer).
                "noncurrent_version_expiration": {"noncurrent_days": self.noncurrent_version_days},
                "abort_incomplete_multipart_upload": {"days_after_initiation": ABORT_INCOMPLETE_UPLOADS_DAYS},
                "expiration": {"expired_object_delete_marker": True},
            }
        )
        return rules

    def backup_role(self, names: StackNames, cluster: ClusterSettings) -> IrsaRole:
        """The IRSA role of `cluster`'s OADP/Velero: its own prefixes of this vault, nothing else."""
        if cluster.name not in self.clusters:
            raise ValueError(f"vault {self.bucket!r} keeps no backups of cluster {cluster.name!r}")
        oadp = load_catalogue().backup.oadp
        prefixes = [f"{self.prefix(f, cluster.name)}/" for f in BACKUP_FREQUENCIES]
        statements = (
            # Before each backup Velero asks whether the backup exists (HeadObject) and fails on anything but
            # NotFound, which S3 answers only to a caller that may list the bucket; a HEAD carries no s3:prefix. So a
            # listing that names a prefix must name the cluster's own, and one that names none (a HEAD's) is allowed:
            # every backup role can learn the names, never the contents, of the vault's other objects.
            iam.Statement(
                "Allow",
                ("s3:ListBucket",),
                resources=(self.bucket_arn,),
                conditions=(iam.Condition("StringLikeIfExists", "s3:prefix", tuple(f"{p}*" for p in prefixes)),),
                sid="ListOwnBackups",
            ),
            iam.Statement(
                "Allow",
                BACKUP_OBJECT_ACTIONS,
                resources=tuple(f"{self.bucket_arn}/{p}*" for p in prefixes),
                sid="OwnBackups",
            ),
        )
        return IrsaRole(
            key=BACKUP_ROLE_KEY,
            name=names.backup_role(cluster).name,
            description=f"OADP/Velero backups of ROSA cluster {cluster.name} to s3://{self.bucket}",
            subjects=oadp.subjects,
            audience=oadp.token_audience,
            statements=statements,
        )


def vault_plans(names: StackNames) -> dict[str, VaultPlan]:
    """Every vault's plan, by bucket name: the shared vault serves every cluster, a per-cluster vault its own."""
    settings: StackSettings = names.settings
    backup = settings.backup
    if backup is None:
        return {}
    served: dict[str, list[ClusterSettings]] = {}
    for cluster in settings.clusters:
        bucket = names.vault_of(cluster)
        if bucket is not None:
            served.setdefault(bucket, []).append(cluster)
    if backup.vault == "shared" and not served:  # an account stack's vault, before any cluster
        served[names.shared_vault_bucket()] = []
    return {bucket: _plan(names, backup, bucket, clusters) for bucket, clusters in served.items()}


def _plan(names: StackNames, backup: BackupSettings, bucket: str, clusters: list[ClusterSettings]) -> VaultPlan:
    return VaultPlan(
        bucket=bucket,
        bucket_arn=names.bucket_arn(bucket),
        region=names.settings.region,
        retention_days={f: backup.retention_days.of(f) for f in BACKUP_FREQUENCIES},
        noncurrent_version_days=backup.noncurrent_version_days,
        clusters=tuple(cluster.name for cluster in clusters),
        backup_role_arns=tuple(names.role_arn(names.backup_role(cluster).name) for cluster in clusters),
    )


# --- manifest models ------------------------------------------------------------------------------------------


class _Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=True)


class ObjectMeta(_Manifest):
    name: str
    namespace: str
    labels: dict[str, str] = {}


class SecretKeySelector(_Manifest):
    name: str
    key: str


class ObjectStorage(_Manifest):
    bucket: str
    prefix: str


class BackupStorageLocationSpec(_Manifest):
    provider: Literal["aws"]
    default: bool
    object_storage: ObjectStorage
    config: dict[str, str]  # the Velero AWS plugin's keys (region, profile, ...)
    credential: SecretKeySelector


class BackupLocation(_Manifest):
    name: str
    velero: BackupStorageLocationSpec


class VeleroConfig(_Manifest):
    default_plugins: tuple[str, ...]


class ApplicationConfig(_Manifest):
    velero: VeleroConfig


class DataProtectionApplicationSpec(_Manifest):
    backup_images: bool
    configuration: ApplicationConfig
    backup_locations: tuple[BackupLocation, ...]


class DataProtectionApplication(_Manifest):
    api_version: Literal["oadp.openshift.io/v1alpha1"] = "oadp.openshift.io/v1alpha1"
    kind: Literal["DataProtectionApplication"] = "DataProtectionApplication"
    metadata: ObjectMeta
    spec: DataProtectionApplicationSpec


class BackupTemplate(_Manifest):
    ttl: str
    storage_location: str
    included_namespaces: tuple[str, ...]
    snapshot_volumes: bool


class ScheduleSpec(_Manifest):
    schedule: str
    use_owner_references_in_backup: bool
    template: BackupTemplate


class Schedule(_Manifest):
    api_version: Literal["velero.io/v1"] = "velero.io/v1"
    kind: Literal["Schedule"] = "Schedule"
    metadata: ObjectMeta
    spec: ScheduleSpec


class Secret(_Manifest):
    api_version: Literal["v1"] = "v1"
    kind: Literal["Secret"] = "Secret"
    metadata: ObjectMeta
    type: Literal["Opaque"] = "Opaque"
    string_data: dict[str, str]


# --- building them --------------------------------------------------------------------------------------------


def manifests(plan: VaultPlan, cluster: str, role_arn: str) -> list[dict[str, Any]]:
    """`cluster`'s credentials Secret, DataProtectionApplication and one Velero Schedule per frequency, as dicts."""
    oadp = load_catalogue().backup.oadp
    labels = {"app.kubernetes.io/managed-by": "rosa-foundation"}

    def meta(name: str) -> ObjectMeta:
        return ObjectMeta(name=name, namespace=oadp.namespace, labels=labels)

    # An AWS shared-config profile: the AWS SDK in Velero assumes the role with the projected token.
    credentials = "\n".join(["[default]", f"role_arn = {role_arn}", f"web_identity_token_file = {TOKEN_FILE}", ""])
    secret = Secret(metadata=meta(CREDENTIALS_SECRET), string_data={CREDENTIALS_KEY: credentials})
    locations = tuple(
        BackupLocation(
            name=frequency,
            velero=BackupStorageLocationSpec(
                provider="aws",
                default=frequency == "daily",
                object_storage=ObjectStorage(bucket=plan.bucket, prefix=plan.prefix(frequency, cluster)),
                # No encryption keys here: the vault's default SSE-KMS applies its own key to every object.
                config={"region": plan.region, "profile": "default"},
                credential=SecretKeySelector(name=CREDENTIALS_SECRET, key=CREDENTIALS_KEY),
            ),
        )
        for frequency in BACKUP_FREQUENCIES
    )
    application = DataProtectionApplication(
        metadata=meta(f"{cluster}-backups"),
        spec=DataProtectionApplicationSpec(
            backup_images=False,
            configuration=ApplicationConfig(velero=VeleroConfig(default_plugins=("openshift", "aws"))),
            backup_locations=locations,
        ),
    )
    schedules = [
        Schedule(
            metadata=meta(f"{cluster}-{spec.frequency}"),
            spec=ScheduleSpec(
                # Velero's cron parser reads CRON_TZ; ROSA's times are UTC whatever the cluster's zone.
                schedule=f"CRON_TZ=UTC {spec.cron}",
                use_owner_references_in_backup=False,
                template=BackupTemplate(
                    ttl=plan.ttl(spec.frequency),
                    # OADP names the BackupStorageLocation of a named `backupLocations` entry exactly that name.
                    storage_location=spec.frequency,
                    included_namespaces=("*",),
                    # Like ROSA's own schedule: Kubernetes objects, no volume snapshots (and no EC2 permissions).
                    snapshot_volumes=False,
                ),
            ),
        )
        for spec in load_catalogue().backup.schedules
    ]
    return [m.model_dump(by_alias=True, mode="json") for m in (secret, application, *schedules)]
