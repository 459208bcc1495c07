"""The backup plan of one cluster, and the OADP / Velero manifests that carry it out.

One `BackupPlan` feeds both sides: the vault's lifecycle rules (`BackupVault`) and the cluster's Velero schedules
(here), so a backup's TTL and the bucket's expiry for its prefix are the same number by construction.

The manifests are typed models whose field names are those of the CRDs they target, with unknown fields refused:
OADP's `DataProtectionApplication` (oadp.openshift.io/v1alpha1, `spec.backupLocations[].name/.velero`) and Velero's
`Schedule` (velero.io/v1, `spec.schedule/.template`), as in openshift/oadp-operator `config/crd/bases/` and
vmware-tanzu/velero `config/crd/v1/bases/`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from foundation.catalogue import BACKUP_FREQUENCIES, BackupFrequency, load_catalogue

CREDENTIALS_SECRET = "cloud-credentials"
CREDENTIALS_KEY = "credentials"
# Where OpenShift projects the service account token whose audience is `openshift` (the backup role's trust).
TOKEN_FILE = "/var/run/secrets/openshift/serviceaccount/token"


@dataclass(frozen=True)
class BackupPlan:
    """Where and how long one cluster's backups are kept."""

    cluster: str
    bucket: str
    region: str
    retention_days: dict[BackupFrequency, int]

    def prefix(self, frequency: BackupFrequency) -> str:
        """`hourly/<cluster>`: the frequency first, so one lifecycle rule per frequency covers every cluster."""
        return f"{frequency}/{self.cluster}"

    def ttl(self, frequency: BackupFrequency) -> str:
        """Velero's TTL (a Go duration) for `frequency`: exactly the days the bucket keeps that prefix."""
        return f"{self.retention_days[frequency] * 24}h0m0s"


def lifecycle_prefix(frequency: BackupFrequency) -> str:
    return f"{frequency}/"


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


def manifests(plan: BackupPlan, role_arn: str) -> list[dict[str, Any]]:
    """The credentials Secret, the DataProtectionApplication and one Velero Schedule per frequency, as dicts."""
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
                object_storage=ObjectStorage(bucket=plan.bucket, prefix=plan.prefix(frequency)),
                # No encryption keys here: the vault's default SSE-KMS applies its own key to every object.
                config={"region": plan.region, "profile": "default"},
                credential=SecretKeySelector(name=CREDENTIALS_SECRET, key=CREDENTIALS_KEY),
            ),
        )
        for frequency in BACKUP_FREQUENCIES
    )
    application = DataProtectionApplication(
        metadata=meta(f"{plan.cluster}-backups"),
        spec=DataProtectionApplicationSpec(
            backup_images=False,
            configuration=ApplicationConfig(velero=VeleroConfig(default_plugins=("openshift", "aws"))),
            backup_locations=locations,
        ),
    )
    schedules = [
        Schedule(
            metadata=meta(f"{plan.cluster}-{spec.frequency}"),
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
