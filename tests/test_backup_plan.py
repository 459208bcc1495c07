"""The OADP/Velero manifests: ROSA's times, TTLs from the same retention as the bucket, and only the field names the
CRDs define."""

import re

import pytest
from pydantic import ValidationError

from foundation import backup_plan
from foundation.catalogue import load_catalogue

ROLE = "arn:aws:iam::123456789012:role/alpha-openshift-adp-backup"
PLAN = backup_plan.VaultPlan(
    bucket="vault",
    bucket_arn="arn:aws:s3:::vault",
    region="eu-west-1",
    retention_days={"hourly": 1, "daily": 7, "weekly": 30},
    noncurrent_version_days=7,
    clusters=("alpha",),
    backup_role_arns=(ROLE,),
)


def by_kind(kind):
    return [m for m in backup_plan.manifests(PLAN, "alpha", ROLE) if m["kind"] == kind]


def test_schedules_run_at_rosas_times_in_utc_with_ttls_equal_to_retention():
    schedules = {m["metadata"]["name"]: m["spec"] for m in by_kind("Schedule")}
    assert {name: (s["schedule"], s["template"]["ttl"]) for name, s in schedules.items()} == {
        "alpha-hourly": ("CRON_TZ=UTC 17 * * * *", "24h0m0s"),
        "alpha-daily": ("CRON_TZ=UTC 0 1 * * *", "168h0m0s"),
        "alpha-weekly": ("CRON_TZ=UTC 0 2 * * 1", "720h0m0s"),
    }


def test_each_schedule_writes_to_its_own_location_under_its_frequency_prefix():
    (application,) = by_kind("DataProtectionApplication")
    locations = {loc["name"]: loc["velero"] for loc in application["spec"]["backupLocations"]}
    for schedule in by_kind("Schedule"):
        location = locations[schedule["spec"]["template"]["storageLocation"]]
        frequency = schedule["metadata"]["name"].rsplit("-", 1)[1]
        assert location["objectStorage"] == {"bucket": "vault", "prefix": f"{frequency}/alpha"}
        assert location["credential"] == {"name": "cloud-credentials", "key": "credentials"}
    assert [name for name, loc in locations.items() if loc["default"]] == ["daily"]


def test_the_credentials_secret_assumes_the_backup_role_with_the_projected_token():
    (secret,) = by_kind("Secret")
    assert secret["metadata"] == {
        "name": "cloud-credentials",
        "namespace": "openshift-adp",
        "labels": {"app.kubernetes.io/managed-by": "rosa-foundation"},
    }
    text = secret["stringData"]["credentials"]
    assert (
        f"role_arn = {ROLE}" in text
        and "web_identity_token_file = /var/run/secrets/openshift/serviceaccount/token" in text
    )


def test_backups_take_kubernetes_objects_like_rosas_schedule_not_volume_snapshots():
    for schedule in by_kind("Schedule"):
        assert schedule["spec"]["template"]["snapshotVolumes"] is False
        assert schedule["spec"]["template"]["includedNamespaces"] == ["*"]


def test_manifest_models_refuse_a_field_the_crd_does_not_define():
    with pytest.raises(ValidationError, match="storageLocations"):
        backup_plan.BackupTemplate.model_validate(
            {"ttl": "1h0m0s", "storageLocations": "x", "includedNamespaces": ["*"], "snapshotVolumes": False}
        )


def _cron_from_words(when: str) -> str:
    """The reference's words for a schedule time as a cron expression (UTC)."""
    if match := re.fullmatch(r"(\d+) minutes past every hour \(UTC\)", when):
        return f"{int(match[1])} * * * *"
    days = {"Mondays": "1"}
    match = re.fullmatch(r"(?:(\w+) )?(\d\d):(\d\d) UTC", when)
    assert match, when
    return f"{int(match[3])} {int(match[2])} * * {days[match[1]] if match[1] else '*'}"


def test_schedule_times_and_retention_match_rosas_service_definition(reference_catalogue):
    ours = {s.frequency: s for s in load_catalogue().backup.schedules}
    for entry in reference_catalogue["backup_schedule"]:
        if entry["frequency"] == "none":
            continue
        number, unit = entry["retention"].split()
        days = int(number) // 24 if unit == "hours" else int(number)
        assert ours[entry["frequency"]].retention_days == days
        assert ours[entry["frequency"]].cron == _cron_from_words(entry["when"])
