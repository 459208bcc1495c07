"""Every name and ARN the stack creates, derived once from the settings: roles, policies, buckets, the issuer host,
the private-key secret, KMS aliases and security groups.

`StackNames.iam_names()` and `StackNames.buckets()` are the tables (keyed by a stable slug, like the ROSA Terraform
modules' `operator_roles_properties`) that the components, the CI permissions, the quota check and the collision
rules all read; nothing else formats a name. Role and policy names are cut to IAM's 64 characters in
`naming.iam_name`, and the settings rules refuse two names the cut makes equal.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from foundation import naming, shared_vpc
from foundation.catalogue import SHARED_VPC_ROLES, AccountRoleSpec, OperatorRoleSpec, Topology, load_catalogue
from foundation.identity_names import ClusterIdentityNames
from foundation.naming import IamName
from foundation.ocm_names import OcmNames
from foundation.project import PROJECT, config_key
from foundation.role_keys import account_role_key, operator_role_key
from foundation.settings.models import ClusterSettings, ManagedOidc, SelfHostedOidc, StackSettings, WorkloadRoleSettings

BucketPurpose = Literal["issuer", "vault", "replica", "access-log", "control-plane-logs"]
CiRoleKind = Literal["deploy", "preview"]
CI_ROLE_KINDS: tuple[CiRoleKind, ...] = ("deploy", "preview")
KMS_ALIAS_ROOT = "alias/rosa/"  # every alias the stack makes lives under it (the CI role's alias scope)
VAULT_KEY_ALIASES = f"{KMS_ALIAS_ROOT}backups/"  # the vault keys' aliases (`vault_key_alias`)
# The S3 state backend's layout (Pulumi's DIY backend, project-scoped: pulumi/pulumi pkg/backend/diy/store.go and
# lock.go): `<root>/meta.yaml`, `<root>/stacks/<project>/<stack>.json[.gz|.zst][.bak]`, the stack's own
# `history/`, `backups/` and `journal/` directories under `<project>/<stack>/`, locks under
# `locks/organization/<project>/<stack>/`.
STATE_ROOT = ".pulumi"


@dataclass(frozen=True)
class StackBucket:
    """One S3 bucket the stack creates."""

    key: str  # the settings key that names it, or whose default it is
    name: str
    purpose: BucketPurpose


@dataclass(frozen=True)
class VaultNames:
    """The names of one backup vault's resources."""

    bucket: str
    replica_bucket: str | None  # with a replica region
    access_log_bucket: str | None  # with access logging
    replication_role: str | None  # with a replica region
    replication_role_arn: str | None  # with a replica region
    key_alias: str
    replica_key_alias: str


@dataclass(frozen=True)
class StackNames:
    """The names of one stack's resources. Shapes: IAM names are `IamName`s; buckets, hosts, secrets, aliases and
    group names plain strings; ARNs `arn:<partition>:...` of the stack's account (and region where AWS has one)."""

    settings: StackSettings

    # --- IAM roles and policies ------------------------------------------------------------------------------------

    def account_role(self, topology: Topology, spec: AccountRoleSpec) -> IamName:
        """`<prefix>-<role>-Role`, e.g. `ManagedOpenShift-HCP-ROSA-Installer-Role` (rosa create account-roles)."""
        parts = naming.account_role_parts(self.settings.account_role_prefix, spec.role)
        return IamName("role", parts, f"{topology} account role {spec.role}")

    def classic_account_policy(self, spec: AccountRoleSpec) -> IamName:
        """`<prefix>-<role>-Role-Policy`: a classic account role's permissions."""
        role = self.account_role("classic", spec)
        return IamName("policy", (*role.parts, "Policy"), f"classic policy of {spec.role}")

    def classic_operator_policy(self, spec: OperatorRoleSpec) -> IamName:
        """`<account prefix>-<namespace>-<operator>`: account-wide, shared by every classic cluster."""
        parts = (self.settings.account_role_prefix, spec.namespace, spec.operator)
        return IamName("policy", parts, f"classic operator policy {spec.slug}")

    def operator_role(self, cluster: ClusterSettings, spec: OperatorRoleSpec) -> IamName:
        """`<operator prefix>-<namespace>-<operator>` (rosa create operator-roles)."""
        parts = naming.operator_role_parts(cluster.operator_prefix, spec.namespace, spec.operator)
        return IamName("role", parts, f"cluster {cluster.name!r} operator role {spec.slug}")

    def workload_role(self, cluster: ClusterSettings | None, workload: WorkloadRoleSettings) -> IamName:
        """The settings' `roleName`, else `<operator prefix>-<namespace>-<service account>`; a role several clusters
        trust (`cluster` None: the stack's `workloadRoles`) takes the stack's account role prefix instead."""
        prefix = cluster.operator_prefix if cluster else self.settings.account_role_prefix
        parts = (workload.role_name,) if workload.role_name else (prefix, workload.namespace, workload.service_account)
        owner = f"cluster {cluster.name!r} workload role" if cluster else "stack workload role"
        return IamName("role", parts, f"{owner} {workload.slug}")

    def backup_role(self, cluster: ClusterSettings) -> IamName:
        """`<operator prefix>-openshift-adp-backup`: the cluster's OADP/Velero role."""
        return IamName("role", _backup_role_parts(cluster.operator_prefix), f"cluster {cluster.name!r} backup role")

    def vault_writers(self, vault_bucket: str) -> tuple[str, ...]:
        """The roles that may write `vault_bucket`'s objects, by their exact ARNs, which its bucket and key policies
        match `aws:PrincipalArn` against: the backup roles of the clusters it serves. Never a name pattern: the
        pipeline may create roles under the stack's path, and one matching a pattern, trusting anyone, would read
        and decrypt every backup. So adding a cluster to a shared vault changes both policies, which only the vault's
        administrator may change (README, "Who may lower a vault's protections")."""
        return tuple(
            self.role_arn(self.backup_role(c).name) for c in self.settings.clusters if self.vault_of(c) == vault_bucket
        )

    def replication_role(self, vault_bucket: str) -> IamName:
        """`<account prefix>-replication-<vault bucket>`: S3's role for copying a vault to its replica."""
        parts = (self.settings.account_role_prefix, "replication", vault_bucket)
        return IamName("role", parts, f"replication role of vault {vault_bucket!r}")

    def replication_role_arn(self, vault_bucket: str) -> str:
        return self.role_arn(self.replication_role(vault_bucket).name)

    @property
    def identities(self) -> ClusterIdentityNames:
        """An HCP cluster's log forwarding, audit-log and AutoNode names (`foundation.identity_names`)."""
        return ClusterIdentityNames(self.settings)

    @property
    def ocm(self) -> OcmNames:
        """The names of the OCM role, its policies and the user roles (`foundation.ocm_names`)."""
        return OcmNames(self.settings)

    def ci_role(self, kind: CiRoleKind) -> IamName:
        """`<account prefix>-github-<kind>-<environment>`: the pipeline's deploy or preview role."""
        ci = self.settings.ci_identity
        environment = ci.environment if ci else ""
        return IamName("role", (self.settings.account_role_prefix, "github", kind, environment), f"CI {kind} role")

    def ci_policy(self, kind: CiRoleKind, concern: str) -> str:
        """`<CI role name>-<concern>`: one managed policy of a CI role."""
        return f"{self.ci_role(kind).name}-{concern}"

    def boundary_policy(self) -> tuple[str, str] | None:
        """(IAM path, name) of `permissionsBoundary`, the policy the stack creates with its CI identity."""
        arn = self.settings.permissions_boundary
        if not arn:
            return None
        path, _, name = arn.split(":", 5)[5].removeprefix("policy").rpartition("/")
        return f"{path}/", name

    def backup_roles_pattern(self) -> str:
        """Every cluster's backup role (`backup_role`), as one IAM ARN pattern."""
        return self.role_arn(f"*-{load_catalogue().backup.oadp.namespace}-backup")

    def iam_names(self) -> dict[str, IamName]:
        """The table of every IAM role and policy the stack creates (CI policies aside: `ci_policy`), by slug."""
        return dict(self._iam_names())

    def _iam_names(self) -> Iterator[tuple[str, IamName]]:
        settings, catalogue = self.settings, load_catalogue()
        for topology in settings.topologies:
            for account_role in catalogue.topology(topology).account_roles:
                yield account_role_key(topology, account_role), self.account_role(topology, account_role)
                if topology == "classic":
                    yield f"account-policy/classic/{account_role.slug}", self.classic_account_policy(account_role)
        if "classic" in settings.topologies:
            for operator in settings.classic_operator_specs:
                yield f"operator-policy/classic/{operator.slug}", self.classic_operator_policy(operator)
        for cluster in settings.clusters:
            here = f"cluster/{cluster.name}"
            for operator in settings.operator_specs(cluster):
                yield operator_role_key(cluster, operator), self.operator_role(cluster, operator)
            if settings.backup:
                yield f"{here}/backup-role", self.backup_role(cluster)
            for workload in cluster.workload_roles:
                yield f"{here}/workload-role/{workload.slug}", self.workload_role(cluster, workload)
            for slug, name in self.identities.iam_names(cluster):
                yield f"{here}/{slug}", name
            for kind in SHARED_VPC_ROLES if cluster.network and cluster.network.shared_vpc else ():
                yield f"{here}/shared-vpc-policy/{kind}", shared_vpc.assume_policy(cluster.name, kind)
        for served in settings.shared_vpc.clusters if settings.shared_vpc else ():
            for kind in SHARED_VPC_ROLES:
                yield f"shared-vpc/{served.name}/{kind}-role", shared_vpc.role(served.name, kind)
        for workload in settings.workload_roles:
            yield f"workload-role/{workload.slug}", self.workload_role(None, workload)
        if settings.backup and settings.backup.replica_region:
            for vault in self.vaults():
                yield f"vault/{vault.name}/replication-role", self.replication_role(vault.name)
        yield from self.ocm.iam_names()
        if settings.ci_identity:
            for kind in CI_ROLE_KINDS:
                yield f"ci/{kind}-role", self.ci_role(kind)

    def account_role_arn(self, topology: Topology, slug: str) -> str:
        """The ARN of the account role `slug` (`installer`, `support`, ...) of `topology`."""
        (spec,) = [r for r in load_catalogue().topology(topology).account_roles if r.slug == slug]
        return self.role_arn(self.account_role(topology, spec).name)

    def role_arn(self, name: str) -> str:
        """`arn:<partition>:iam::<account>:role<iam path><name>`; `name` may be a pattern (`<prefix>-*`)."""
        settings = self.settings
        return naming.iam_arn(settings.partition, settings.account_id, "role", settings.iam_path, name)

    def policy_arn(self, name: str) -> str:
        settings = self.settings
        return naming.iam_arn(settings.partition, settings.account_id, "policy", settings.iam_path, name)

    # --- the pipeline's state -------------------------------------------------------------------------------------

    def state_bucket(self) -> str | None:
        """The ARN of the S3 state backend's bucket (`ciIdentity.stateBucket`), if the pipeline uses one."""
        ci = self.settings.ci_identity
        return self.bucket_arn(ci.state_bucket) if ci and ci.state_bucket else None

    def state_objects(self) -> dict[str, str]:
        """This stack's objects in its S3 state backend (`ciIdentity.stateBucket`) as ARN patterns, by what they
        hold; empty without one. The stack is the one its CI environment deploys: the workflows name each
        environment after its stack."""
        ci, bucket = self.settings.ci_identity, self.state_bucket()
        if not ci or not bucket:
            return {}
        root = f"{bucket}/{STATE_ROOT}"
        stack = f"{PROJECT}/{ci.environment}"
        return {
            "meta": f"{root}/meta.yaml",
            "checkpoint": f"{root}/stacks/{stack}.json*",
            "history": f"{root}/history/{stack}/*",
            "backups": f"{root}/backups/{stack}/*",
            "journal": f"{root}/journal/{stack}/*",
            "locks": f"{root}/locks/organization/{stack}/*",
        }

    # --- buckets -----------------------------------------------------------------------------------------------------

    def issuer_bucket(self, cluster: ClusterSettings) -> str | None:
        """A self-hosted issuer's bucket: the settings' `bucketName`, else `<cluster>-oidc-<account id>`."""
        if not isinstance(cluster.oidc, SelfHostedOidc):
            return None
        return cluster.oidc.bucket_name or f"{cluster.name}-oidc-{self.settings.account_id}"

    def shared_vault_bucket(self) -> str:
        """The stack's shared vault: `backup.bucketName`, else `rosa-backups-<account id>-<region>`."""
        backup = self.settings.backup
        return (backup and backup.bucket_name) or f"rosa-backups-{self.settings.account_id}-{self.settings.region}"

    def own_vault_bucket(self, cluster: ClusterSettings) -> str:
        """A cluster's own vault (per-cluster vaults): `backupBucketName`, else `<cluster>-backups-<account id>`."""
        return cluster.backup_bucket_name or f"{cluster.name}-backups-{self.settings.account_id}"

    def vault_of(self, cluster: ClusterSettings) -> str | None:
        """The bucket `cluster`'s backups go to (its own or the shared vault), None without backups."""
        backup = self.settings.backup
        if backup is None:
            return None
        return self.own_vault_bucket(cluster) if backup.vault == "per-cluster" else self.shared_vault_bucket()

    @staticmethod
    def replica_bucket(vault_bucket: str, replica_region: str) -> str:
        return f"{vault_bucket}-{replica_region}"

    @staticmethod
    def access_log_bucket(vault_bucket: str) -> str:
        return f"{vault_bucket}-logs"

    def vaults(self) -> list[StackBucket]:
        """Every backup vault: the shared one, or one per cluster."""
        backup = self.settings.backup
        if backup is None:
            return []
        if backup.vault == "shared":
            return [StackBucket(f"{config_key('backup')}.bucketName", self.shared_vault_bucket(), "vault")]
        return [
            StackBucket(f"{config_key('clusters')}[{i}].backupBucketName", self.own_vault_bucket(cluster), "vault")
            for i, cluster in enumerate(self.settings.clusters)
        ]

    def vault_buckets(self, vault: StackBucket) -> list[StackBucket]:
        """A vault and the buckets derived from its name: its replica and its access-log bucket, as the settings ask."""
        backup = self.settings.backup
        buckets = [vault]
        if backup and backup.replica_region:
            buckets.append(StackBucket(vault.key, self.replica_bucket(vault.name, backup.replica_region), "replica"))
        if backup and backup.access_logging:
            buckets.append(StackBucket(vault.key, self.access_log_bucket(vault.name), "access-log"))
        return buckets

    def vault_names(self, vault_bucket: str) -> VaultNames:
        backup = self.settings.backup
        replica_region = backup.replica_region if backup else None
        return VaultNames(
            bucket=vault_bucket,
            replica_bucket=self.replica_bucket(vault_bucket, replica_region) if replica_region else None,
            access_log_bucket=self.access_log_bucket(vault_bucket) if backup and backup.access_logging else None,
            replication_role=self.replication_role(vault_bucket).name if replica_region else None,
            replication_role_arn=self.replication_role_arn(vault_bucket) if replica_region else None,
            key_alias=self.vault_key_alias(vault_bucket),
            replica_key_alias=self.vault_key_alias(vault_bucket, replica=True),
        )

    def buckets(self) -> list[StackBucket]:
        """The table of every bucket the stack creates: issuers, vaults, replicas, access logs, control-plane logs."""
        issuers = [
            StackBucket(f"{config_key('clusters')}[{i}].oidc.bucketName", bucket, "issuer")
            for i, cluster in enumerate(self.settings.clusters)
            if (bucket := self.issuer_bucket(cluster))
        ]
        logs = [StackBucket(key, bucket, "control-plane-logs") for key, bucket in self.identities.log_buckets()]
        return issuers + [bucket for vault in self.vaults() for bucket in self.vault_buckets(vault)] + logs

    def bucket_arn(self, bucket: str) -> str:
        return naming.arn(self.settings.partition, "s3", bucket)

    # --- the OIDC issuer --------------------------------------------------------------------------------------------

    def issuer_host_path(self, cluster: ClusterSettings) -> str | None:
        """How IAM names the cluster's issuer (`<host>[/<path>]`, the provider ARN's tail and its claims' prefix);
        None where AWS picks the host at creation (a CloudFront distribution's domain)."""
        oidc = cluster.oidc
        if isinstance(oidc, SelfHostedOidc):
            if oidc.public_access == "cloudfront":
                return None
            return f"{self.issuer_bucket(cluster)}.s3.{self.settings.region}.amazonaws.com"
        return naming.issuer_host_path(oidc.issuer)

    def issuer_key(self, cluster: ClusterSettings) -> str:
        """What identifies the cluster's OIDC issuer: a managed config's issuer URL, which every cluster on that
        (reusable) config shares; a self-hosted issuer's bucket, its cluster's own."""
        oidc = cluster.oidc
        return oidc.issuer if isinstance(oidc, ManagedOidc) else str(self.issuer_bucket(cluster))

    def issuers(self) -> dict[str, tuple[ClusterSettings, ...]]:
        """Each OIDC issuer of the stack (`issuer_key`) with the clusters whose tokens it signs, in settings order:
        the table of IAM OIDC providers, one per issuer URL in an account (IAM refuses a second)."""
        issuers: dict[str, list[ClusterSettings]] = {}
        for cluster in self.settings.clusters:
            issuers.setdefault(self.issuer_key(cluster), []).append(cluster)
        return {key: tuple(clusters) for key, clusters in issuers.items()}

    def oidc_provider_arn(self, host_path: str) -> str:
        return naming.oidc_provider_arn(self.settings.partition, self.settings.account_id, host_path)

    def private_key_secret(self, cluster: ClusterSettings) -> str | None:
        """The Secrets Manager name of a self-hosted issuer's private key (`issuer_secret`)."""
        bucket = self.issuer_bucket(cluster)
        return self.issuer_secret(bucket) if bucket else None

    def private_key_secret_arn(self, cluster: ClusterSettings) -> str | None:
        """The ARN pattern of a self-hosted issuer's private-key secret (`issuer_secret_arn`)."""
        settings, bucket = self.settings, self.issuer_bucket(cluster)
        if bucket is None:
            return None
        return self.issuer_secret_arn(settings.partition, settings.account_id, settings.region, bucket)

    @staticmethod
    def issuer_secret(bucket: str) -> str:
        """`rosa-private-key-<issuer bucket>`, as `rosa create oidc-config --managed=false` names the secret
        (`rosa delete oidc-config` finds the bucket from it). Made outside the stack (`tools/issuer_key.py`)."""
        return f"{load_catalogue().oidc.private_key_secret_prefix}{bucket}"

    @staticmethod
    def issuer_secret_arn(partition: str, account: str, region: str, bucket: str) -> str:
        """`arn:<partition>:secretsmanager:<region>:<account>:secret:rosa-private-key-<bucket>-??????`: Secrets Manager
        ends a secret's ARN with `-` and six random characters, so only the secret itself tells its ARN."""
        resource = f"secret:{StackNames.issuer_secret(bucket)}-??????"
        return naming.arn(partition, "secretsmanager", resource, account=account, region=region)

    @staticmethod
    def issuer_key_alias(bucket: str) -> str:
        """`alias/rosa-issuer/<issuer bucket>`: the KMS key of the issuer's private-key secret. Outside `alias/rosa/`,
        the pipeline's alias scope: the key is not the stack's."""
        return f"alias/rosa-issuer/{bucket}"

    def origin_access_control(self, cluster: ClusterSettings) -> str:
        """The CloudFront origin access control of a cluster's issuer bucket."""
        return f"{cluster.name}-oidc"

    # --- KMS and security groups ------------------------------------------------------------------------------------

    @staticmethod
    def cluster_key_alias(cluster: ClusterSettings, purpose: str) -> str:
        """`alias/rosa/<cluster>/<purpose>` (purpose: volumes, etcd, logs)."""
        return f"{KMS_ALIAS_ROOT}{cluster.name}/{purpose}"

    @staticmethod
    def vault_key_alias(vault_bucket: str, replica: bool = False) -> str:
        """`alias/rosa/backups/<vault>` and `...-replica` for the replica's key."""
        return f"{VAULT_KEY_ALIASES}{vault_bucket}" + ("-replica" if replica else "")

    @staticmethod
    def security_group(cluster: ClusterSettings, node_role: str) -> str:
        """`<cluster>-<group>`: a node role (control-plane, infra, compute) or a private HCP's api-endpoint."""
        return f"{cluster.name}-{node_role}"

    @cached_property
    def regions(self) -> tuple[str, ...]:
        """Every region the stack creates resources in: its own, and the vault replica's."""
        backup = self.settings.backup
        return (self.settings.region, *((backup.replica_region,) if backup and backup.replica_region else ()))


def _backup_role_parts(operator_prefix: str) -> tuple[str, ...]:
    """A backup role's name parts; with `*` for the prefix, the pattern every backup role matches."""
    return (operator_prefix, load_catalogue().backup.oadp.namespace, "backup")
