"""The backup vault and the backup role: ROSA's retention by prefix, no way to lose a backup by accident, and a
backup tool that reaches only its own cluster's prefixes."""

import json

import pulumi
import pytest

from components.account_roles import AccountRoles, AccountRolesArgs
from components.cluster_foundation import ClusterFoundation, ClusterFoundationArgs
from components.encryption_keys import KeyDefaults
from components.oidc_provider import oidc_providers
from components.role import RoleDefaults
from foundation.backup_plan import vault_plans
from foundation.catalogue import BACKUP_FREQUENCIES
from foundation.names import StackNames
from foundation.settings.loading import SettingsError, settings_from_config
from render.mocks import MockAccount
from render.runtime import run_program
from tests.conftest import ACCOUNT_ID, cluster, config, document, example, inputs_of, run

SHARED = {"vault": "shared"}
VAULT = f"rosa-backups-{ACCOUNT_ID}-us-east-1"


def problems(**settings) -> str:
    with pytest.raises(SettingsError) as failure:
        settings_from_config(config(**settings))
    return str(failure.value)


def expirations(render, name="backup-vault-bucket-lifecycle") -> dict[str, int]:
    rules = inputs_of(render, name)["rules"]
    return {r["filter"]["prefix"]: r["expiration"]["days"] for r in rules if "days" in r.get("expiration", {})}


def test_no_backup_setting_means_no_vault_and_no_backup_role():
    render = run()
    assert not render.of_type("rosa-foundation:backup:BackupVault")
    assert render.outputs["clusters"]["alpha"]["backup"] is None and render.outputs["backupVault"] is None


def test_lifecycle_keeps_each_prefix_for_rosas_schedule_by_default():
    assert expirations(run(backup=SHARED)) == {"hourly/": 1, "daily/": 7, "weekly/": 30}


def test_longer_retention_is_applied_to_the_bucket_and_the_velero_ttls_alike():
    render = run(backup={**SHARED, "retentionDays": {"hourly": 2, "daily": 14, "weekly": 90}})
    days = expirations(render)
    manifests = render.outputs["clusters"]["alpha"]["backup"]["manifests"]
    ttls = {
        m["metadata"]["name"].rsplit("-", 1)[1]: m["spec"]["template"]["ttl"]
        for m in manifests
        if m["kind"] == "Schedule"
    }
    assert days == {"hourly/": 2, "daily/": 14, "weekly/": 90}
    assert ttls == {f: f"{days[f + '/'] * 24}h0m0s" for f in BACKUP_FREQUENCIES}


def test_retention_below_rosas_schedule_is_refused_without_the_explicit_override():
    message = problems(backup={**SHARED, "retentionDays": {"daily": 3}})
    assert "rosa-foundation:backup.retentionDays.daily = 3: shorter than ROSA's schedule (7 days)" in message
    assert "allowRetentionBelowSchedule: true" in message
    render = run(backup={**SHARED, "retentionDays": {"daily": 3}, "allowRetentionBelowSchedule": True})
    assert expirations(render)["daily/"] == 3


@pytest.mark.parametrize("days", [0, -1, 3651])
def test_retention_days_out_of_range_are_refused(days):
    assert f"backup.retentionDays.hourly = {days}" in problems(backup={**SHARED, "retentionDays": {"hourly": days}})


def test_housekeeping_expires_noncurrent_versions_aborts_uploads_and_clears_delete_markers():
    rules = inputs_of(run(backup={**SHARED, "noncurrentVersionDays": 30}), "backup-vault-bucket-lifecycle")["rules"]
    (housekeeping,) = [r for r in rules if r["id"] == "housekeeping"]
    assert housekeeping["filter"] == {"prefix": ""}
    assert housekeeping["noncurrentVersionExpiration"] == {"noncurrentDays": 30}
    assert housekeeping["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 1}
    assert housekeeping["expiration"] == {"expiredObjectDeleteMarker": True}


def test_vault_is_private_versioned_encrypted_with_its_key_and_tls_only():
    render = run(backup=SHARED)
    access = inputs_of(render, "backup-vault-bucket-access")
    assert all(access[k] for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"))
    assert inputs_of(render, "backup-vault-bucket-versioning")["versioningConfiguration"] == {"status": "Enabled"}
    (rule,) = inputs_of(render, "backup-vault-bucket-encryption")["rules"]
    key_arn = render.outputs["backupVault"]["kmsKeyArn"]
    assert rule == {
        "applyServerSideEncryptionByDefault": {"kmsMasterKeyId": key_arn, "sseAlgorithm": "aws:kms"},
        "bucketKeyEnabled": True,
    }
    assert inputs_of(render, "backup-vault-bucket-ownership")["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    statements = {s["Sid"]: s for s in document(render, "backup-vault-bucket-policy", "policy")["Statement"]}
    deny = statements["DenyInsecureTransport"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert deny["Resource"] == [f"arn:aws:s3:::{VAULT}", f"arn:aws:s3:::{VAULT}/*"]


def test_buckets_and_keys_are_protected_retained_and_never_force_destroyed():
    render = run(backup={**SHARED, "replicaRegion": "us-west-2", "accessLogging": True})
    stateful = render.of_type("aws:s3/bucket:Bucket") + render.of_type("aws:kms/key:Key")
    assert len(stateful) == 3 + 2 + 2  # vault, replica, logs; backup + replica keys; the cluster's two keys
    for resource in stateful:
        assert resource.options["protect"] and resource.options["retainOnDelete"], resource.name
        assert resource.inputs.get("forceDestroy", False) is False, resource.name


def test_a_stack_may_choose_not_to_retain_on_destroy_but_stays_protected():
    render = run(backup=SHARED, retainStatefulOnDelete="false")
    bucket = render.named("backup-vault-bucket")
    assert bucket.options == {"protect": True, "retainOnDelete": False, "aliases": bucket.options["aliases"]}


def test_object_lock_retains_for_the_longest_retention():
    render = run(backup={**SHARED, "objectLock": {"mode": "COMPLIANCE"}, "retentionDays": {"weekly": 45}})
    rule = inputs_of(render, "backup-vault-bucket-object-lock")["rule"]
    assert rule == {"defaultRetention": {"days": 45, "mode": "COMPLIANCE"}}


def test_object_lock_is_on_in_governance_mode_unless_turned_off():
    render = run(backup=SHARED)
    assert inputs_of(render, "backup-vault-bucket-object-lock")["rule"]["defaultRetention"]["mode"] == "GOVERNANCE"
    assert render.outputs["backupVault"]["objectLock"] == {"mode": "GOVERNANCE", "days": 30}
    off = run(backup={**SHARED, "objectLock": None})
    assert not off.of_type("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")
    assert off.outputs["backupVault"]["objectLock"] is None


def test_object_lock_is_turned_on_by_its_configuration_never_by_the_bucket_which_that_would_replace():
    """S3 enables object lock on an existing versioned bucket (PutObjectLockConfiguration), where the provider's
    bucket `objectLockEnabled` forces a new bucket: an existing vault gains the lock in place."""
    render = run(backup={**SHARED, "replicaRegion": "us-west-2", "accessLogging": True})
    for bucket in render.of_type("aws:s3/bucket:Bucket"):
        assert "objectLockEnabled" not in bucket.inputs, bucket.name
    locks = render.of_type("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")
    assert sorted(lock.name for lock in locks) == [
        "backup-vault-bucket-object-lock",
        "backup-vault-replica-object-lock",
    ]


def test_object_lock_mode_must_be_governance_or_compliance():
    assert "backup.objectLock.mode = 'LEGAL'" in problems(backup={**SHARED, "objectLock": {"mode": "LEGAL"}})


def test_replica_lives_in_the_replica_region_with_its_own_key_and_never_receives_deletions():
    render = run(backup={**SHARED, "replicaRegion": "us-west-2"})
    replica = inputs_of(render, "backup-vault-replica")
    assert replica["bucket"] == f"{VAULT}-us-west-2" and replica["region"] == "us-west-2"
    assert inputs_of(render, "backup-vault-keys-replica")["region"] == "us-west-2"
    (rule,) = inputs_of(render, "backup-vault-replication")["rules"]
    vault = render.outputs["backupVault"]
    assert rule["destination"]["encryptionConfiguration"] == {"replicaKmsKeyId": vault["replicaKmsKeyArn"]}
    assert vault["replicaKmsKeyArn"] != vault["kmsKeyArn"]
    assert rule["deleteMarkerReplication"] == {"status": "Disabled"}


def test_replication_role_is_s3_for_this_vault_only_and_reads_and_writes_nothing_else():
    render = run(backup={**SHARED, "replicaRegion": "us-west-2", "objectLock": {"mode": "GOVERNANCE"}})
    (trust,) = document(render, "backup-vault-replication-role", "assumeRolePolicy")["Statement"]
    assert trust["Principal"] == {"Service": "s3.amazonaws.com"}
    assert trust["Condition"] == {
        "ArnLike": {"aws:SourceArn": f"arn:aws:s3:::{VAULT}"},
        "StringEquals": {"aws:SourceAccount": ACCOUNT_ID},
    }
    statements = {s["Sid"]: s for s in document(render, "backup-vault-replication-role-policy", "policy")["Statement"]}
    assert statements["WriteReplica"]["Resource"] == f"arn:aws:s3:::{VAULT}-us-west-2/*"
    assert "s3:GetObjectRetention" in statements["ReadVaultVersions"]["Action"]  # object lock replicates too
    assert statements["DecryptVault"]["Condition"]["StringEquals"] == {"kms:ViaService": "s3.us-east-1.amazonaws.com"}
    assert statements["EncryptReplica"]["Condition"]["StringEquals"] == {"kms:ViaService": "s3.us-west-2.amazonaws.com"}
    assert all(r != "*" for s in statements.values() for r in [s["Resource"]])


def test_replica_region_must_differ_and_stay_in_the_partition():
    assert "replicaRegion = 'us-east-1': the replica must be in another region" in problems(
        backup={**SHARED, "replicaRegion": "us-east-1"}
    )
    assert "replicaRegion = 'us-gov-west-1': not in partition 'aws'" in problems(
        backup={**SHARED, "replicaRegion": "us-gov-west-1"}
    )
    assert "replicaRegion = 'cn-north-1': must be a region of a partition ROSA is offered in" in problems(
        backup={**SHARED, "replicaRegion": "cn-north-1"}
    )


def test_access_logs_go_to_a_log_bucket_that_admits_only_s3_logging_for_this_vault():
    render = run(backup={**SHARED, "accessLogging": True})
    logging = inputs_of(render, "backup-vault-bucket-logging")
    assert logging["targetPrefix"] == f"{VAULT}/"
    statements = {s["Sid"]: s for s in document(render, "backup-vault-logs-policy", "policy")["Statement"]}
    delivery = statements["S3ServerAccessLogs"]
    assert delivery["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert delivery["Condition"]["ArnLike"] == {"aws:SourceArn": f"arn:aws:s3:::{VAULT}"}
    # Log delivery writes SSE-S3 only; the log bucket carries no KMS default.
    (rule,) = inputs_of(render, "backup-vault-logs-encryption")["rules"]
    assert rule["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}


def test_backup_role_trusts_exactly_oadps_service_accounts_with_the_openshift_audience():
    render = run(backup=SHARED)
    (statement,) = document(render, "alpha-workload-roles-openshift-adp-backup", "assumeRolePolicy")["Statement"]
    host = statement["Principal"]["Federated"].split("oidc-provider/")[1]
    assert statement["Condition"] == {
        "StringEquals": {
            f"{host}:sub": [
                "system:serviceaccount:openshift-adp:openshift-adp-controller-manager",
                "system:serviceaccount:openshift-adp:velero",
            ],
            f"{host}:aud": "openshift",
        }
    }


def test_per_cluster_vaults_each_hold_one_clusters_backups():
    render = run(
        backup={"vault": "per-cluster"}, clusters=[cluster("alpha"), cluster("beta", backupBucketName="beta-bk")]
    )
    assert inputs_of(render, "alpha-backup-vault-bucket")["bucket"] == f"alpha-backups-{ACCOUNT_ID}"
    assert inputs_of(render, "beta-backup-vault-bucket")["bucket"] == "beta-bk"
    assert render.outputs["clusters"]["beta"]["backup"]["vault"]["bucket"] == "beta-bk"
    assert render.outputs["backupVault"] is None


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (
            {"backup": {"vault": "per-cluster", "bucketName": "x-bucket"}},
            "backup.bucketName: names the shared vault, but vault is 'per-cluster'",
        ),
        (
            {"backup": SHARED, "clusters": [cluster(backupBucketName="own-bucket")]},
            "clusters[0].backupBucketName: only used with rosa-foundation:backup.vault 'per-cluster'",
        ),
        (
            {"backup": {**SHARED, "bucketName": "a" * 60, "replicaRegion": "us-west-2"}},
            "backup.bucketName: the replica bucket name",
        ),
        ({"backup": {**SHARED, "bucketName": "Bad_Name"}}, "backup.bucketName = 'Bad_Name': must be an S3 bucket"),
        ({"backup": {**SHARED, "vault": "nearby"}}, "backup.vault = 'nearby': must be 'shared' or 'per-cluster'"),
        (
            {"backup": {**SHARED, "lifecycle": 1}},
            "backup.lifecycle: unknown key (a typo?); allowed: accessLogRetentionDays, accessLogging,",
        ),
        ({"backup": {**SHARED, "noncurrentVersionDays": 0}}, "backup.noncurrentVersionDays = 0"),
        (
            {
                "backup": {**SHARED, "bucketName": "hosted-oidc"},
                "clusters": [cluster("hosted", oidc={"mode": "self-hosted", "bucketName": "hosted-oidc"})],
            },
            "bucket 'hosted-oidc' is also used by rosa-foundation:clusters[0].oidc.bucketName",
        ),
    ],
)
def test_bad_backup_settings_are_named_with_key_and_value(settings, expected):
    assert expected in problems(**settings)


def test_a_cluster_component_named_otherwise_cannot_move_its_backups():
    """Velero's prefixes, the backup role's grant and the lifecycle all follow the cluster's ROSA name, whatever the
    component that groups its resources is called."""
    raw = config(backup={"vault": "shared"})

    def program():
        names = StackNames(settings_from_config(raw))
        (cluster,) = names.settings.clusters
        foundation = ClusterFoundation(
            "renamed-grouping",
            ClusterFoundationArgs(
                cluster=cluster,
                names=names,
                role_defaults=RoleDefaults.of(names.settings),
                key_defaults=KeyDefaults.of(names.settings),
                account_roles=AccountRoles(
                    "account-roles", AccountRolesArgs.of(names, RoleDefaults.of(names.settings))
                ),
                oidc=oidc_providers(names, True, pulumi.ResourceOptions())[cluster.name],
                backup_plan=vault_plans(names)[str(names.vault_of(cluster))],
                own_vault=False,
            ),
        )
        pulumi.export("summary", foundation.summary)

    render = run_program(program, raw, stack="test", account=MockAccount("aws", ACCOUNT_ID, "us-east-1"))
    backup = render.outputs["summary"]["backup"]
    assert backup["prefixes"] == {f: f"{f}/alpha" for f in ("hourly", "daily", "weekly")}
    velero = {
        location["velero"]["objectStorage"]["prefix"]
        for manifest in backup["manifests"]
        if manifest["kind"] == "DataProtectionApplication"
        for location in manifest["spec"]["backupLocations"]
    }
    assert velero == {"hourly/alpha", "daily/alpha", "weekly/alpha"}
    grant = json.loads(render.named("renamed-grouping-workload-roles-openshift-adp-backup-inline").inputs["policy"])
    writes = next(s for s in grant["Statement"] if s["Sid"] == "OwnBackups")["Resource"]
    assert sorted(writes) == sorted(f"arn:aws:s3:::{backup['bucket']}/{p}/*" for p in velero)
    assert not any("renamed-grouping" in p for p in [*writes, *velero])


def test_a_vault_without_its_administrator_is_refused_naming_what_the_administrator_alone_may_do():
    message = problems(backup={**SHARED, "administratorArn": None})
    assert "rosa-foundation:backup.administratorArn is missing: the role that alone may lower" in message


@pytest.mark.parametrize(
    ("administrator", "expected"),
    [
        ("arn:aws:iam::999999999999:role/Admin", "must be a role of this stack's account 123456789012"),
        ("arn:aws-us-gov:iam::123456789012:role/Admin", "must be a role of this stack's account"),
        (f"arn:aws:iam::{ACCOUNT_ID}:role/alpha-openshift-adp-backup", "is the stack's own cluster 'alpha' backup"),
        (f"arn:aws:iam::{ACCOUNT_ID}:role/ManagedOpenShift-HCP-ROSA-Installer-Role", "is the stack's own hcp account"),
        ("arn:aws:iam::123456789012:user/admin", "must be an IAM role ARN"),
    ],
)
def test_an_administrator_outside_the_account_or_managed_by_the_stack_is_refused(administrator, expected):
    assert expected in problems(backup={**SHARED, "administratorArn": administrator})


def test_the_vault_names_its_administrator_in_its_outputs():
    vault = run(backup=SHARED).outputs["backupVault"]
    assert vault["administratorArn"] == f"arn:aws:iam::{ACCOUNT_ID}:role/admin/VaultAdministrator"


def test_the_shared_vault_waits_for_no_cluster():
    """Its key and bucket policies name the backup roles from the settings, so a cluster's slow issuer (a CloudFront
    distribution takes minutes) delays neither the vault's encryption nor its replication."""
    render = example("prod")
    parents, by_urn = render.parents(), {r.urn: r for r in render.resources}

    def under(resource, type_token: str) -> bool:
        return any(a.type == type_token for a in render.ancestry(resource, parents))

    def waits(resource, seen: set[str]) -> set[str]:
        for urn in resource.waits_for:
            if urn not in seen:
                seen.add(urn)
                waits(by_urn[urn], seen)
        return seen

    vault = [r for r in render.resources if under(r, "rosa-foundation:backup:BackupVault")]
    assert len(vault) > 10
    for resource in vault:
        clusters = [u for u in waits(resource, set()) if under(by_urn[u], "rosa-foundation:cluster:ClusterFoundation")]
        assert clusters == [], resource.name
