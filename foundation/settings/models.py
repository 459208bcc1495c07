"""The stack settings as frozen pydantic models, one per block of the stack file, with the facts derived from them
alone (defaults that depend on other fields). Names the stack creates are `foundation.names`'; the rules that span
fields are `foundation.settings.rules`'.
"""

from __future__ import annotations

from functools import cached_property
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from foundation import naming
from foundation.catalogue import (
    BACKUP_FREQUENCIES,
    BackupFrequency,
    OcmEnvironment,
    OcmRoleProfile,
    OperatorRoleSpec,
    Partition,
    RedHatRole,
    Topology,
    load_catalogue,
    minor_version,
    version_key,
)
from foundation.project import config_key
from foundation.settings.base import SettingsModel as _Model
from foundation.settings.log_forwarding import LogForwardingSettings
from foundation.settings.shared_vpc_models import SharedVpcOwnerSettings, SharedVpcSettings
from foundation.settings.types import (
    AccountId,
    AdoptKind,
    BucketName,
    Cidr,
    ClusterName,
    ExternalId,
    IamPath,
    IssuerUrl,
    MinorVersion,
    OcmId,
    OidcConfigId,
    OpenShiftVersion,
    PolicyArn,
    Region,
    RoleArn,
    RoleNamePart,
    RolePrefix,
    StackReferenceName,
    SubnetId,
    TagKey,
    TagValue,
    Thumbprint,
    VpcId,
    matching,
)
from foundation.settings.workload_models import WorkloadRoleSettings

TOPOLOGY_ORDER: tuple[Topology, ...] = ("hcp", "classic")


class ManagedOidc(_Model):
    """An OIDC config hosted by Red Hat (`rosa create oidc-config --managed`): only the IAM provider is ours."""

    mode: Literal["managed"]
    config_id: OidcConfigId
    # `<host>/<config id>` as `rosa list oidc-config` shows it. Default: Red Hat's production issuer for config_id,
    # which only production OCM in partition aws uses (the rules ask for it elsewhere).
    issuer_url: IssuerUrl | None = None
    thumbprint: Thumbprint | None = None
    # Clusters on one config share its signing key, so each can present the other's service accounts: workload and
    # backup roles on a shared config need this set, on purpose.
    allow_roles_on_shared_issuer: bool = False

    @property
    def issuer(self) -> str:
        return self.issuer_url or f"https://{load_catalogue().oidc.managed_issuer_host}/{self.config_id}"


class SelfHostedOidc(_Model):
    """An OIDC config kept in this account: discovery documents in S3 published from its public key; its key pair
    is made outside Pulumi (`python -m tools.issuer_key`), so no private key is ever in the stack's state."""

    mode: Literal["self-hosted"]
    bucket_name: BucketName | None = None  # default: <cluster>-oidc-<account id>
    public_access: Literal["bucket-policy", "cloudfront"] = "bucket-policy"
    thumbprint: Thumbprint | None = None
    config_id: OidcConfigId | None = None  # known once registered with OCM (`rosa register oidc-config`)
    # What `python -m tools.issuer_key` prints: the RSA public key (PEM) the JWKS publishes, and the ARN of the secret
    # holding the private key (`rosa register oidc-config --secret-arn`). Required; checked in settings/safety_rules.
    public_key: str | None = None
    private_key_secret_arn: str | None = None


OidcSettings = Annotated[ManagedOidc | SelfHostedOidc, Field(discriminator="mode")]


class NetworkSettings(_Model):
    """The cluster's existing VPC: its subnets, whether its API is private, and who may reach its API (classic 6443,
    a private HCP's API endpoint 443) and ingress (443) through the additional security groups made in `vpc_id`."""

    vpc_id: VpcId | None = None  # the VPC of the additional security groups; no groups without it
    api_allowed_cidrs: tuple[Cidr, ...] = ()
    ingress_allowed_cidrs: tuple[Cidr, ...] = ()
    public_api: bool = False  # only then may 0.0.0.0/0 or ::/0 reach the API
    public_ingress: bool = False  # only then may 0.0.0.0/0 or ::/0 reach ingress
    egress_cidrs: tuple[Cidr, ...] = ("0.0.0.0/0",)  # nodes pull images and reach AWS APIs (through NAT or proxy)
    subnet_ids: tuple[SubnetId, ...] = ()  # `rosa create cluster --subnet-ids`: required for HCP and with vpc_id
    private: bool = False  # the API reachable only from the VPC: HCP `--private`, classic `--private-link`
    shared_vpc: SharedVpcSettings | None = None  # the subnets are another account's, shared through AWS RAM


class ClusterSettings(_Model):
    """One ROSA cluster: its topology and version, OIDC config, network, workload roles and backup vault name."""

    name: ClusterName
    topology: Topology
    openshift_version: OpenShiftVersion | None = None  # x.y.z, `rosa create cluster --version`
    operator_role_prefix: RolePrefix | None = None  # default: the cluster name
    oidc: OidcSettings
    network: NetworkSettings | None = None  # no security groups without it
    workload_roles: tuple[WorkloadRoleSettings, ...] = ()
    backup_bucket_name: BucketName | None = None  # per-cluster vaults only; default <cluster>-backups-<account id>
    log_forwarding: LogForwardingSettings | None = None  # HCP only: control-plane logs (settings/log_forwarding.py)
    audit_log: bool = False  # HCP only: the API audit log to CloudWatch (--audit-log-arn)
    auto_node: bool = False  # HCP only: Karpenter provisions the nodes

    @property
    def operator_prefix(self) -> str:
        return self.operator_role_prefix or self.name

    @property
    def openshift_minor(self) -> str | None:
        """The minor of `openshift_version` (4.20.8 -> 4.20): what rosa checks the classic account roles against."""
        return minor_version(self.openshift_version) if self.openshift_version else None


class RetentionDays(_Model):
    """Days each backup frequency is kept: Velero's TTL and the bucket's expiry both come from here."""

    hourly: int = Field(default=1, ge=1, le=3650)
    daily: int = Field(default=7, ge=1, le=3650)
    weekly: int = Field(default=30, ge=1, le=3650)

    def of(self, frequency: BackupFrequency) -> int:
        return int(getattr(self, frequency))

    @property
    def longest(self) -> int:
        return max(self.of(f) for f in BACKUP_FREQUENCIES)


class ObjectLockSettings(_Model):
    """WORM protection; the default retention is the longest backup retention, so no backup outlives its lock.
    GOVERNANCE: only the vault's administrator may lift it early (the vault's policy keeps everyone else from
    s3:BypassGovernanceRetention); COMPLIANCE: nobody may, root included, until it ends."""

    mode: Literal["GOVERNANCE", "COMPLIANCE"]


class BackupSettings(_Model):
    """The customer's own backups of cluster objects (OADP/Velero): vault layout, retention and its protections."""

    vault: Literal["shared", "per-cluster"] = "shared"
    bucket_name: BucketName | None = None  # shared vault; default rosa-backups-<account id>-<region>
    retention_days: RetentionDays = Field(default_factory=RetentionDays)
    allow_retention_below_schedule: bool = False  # the explicit override for retention shorter than ROSA's
    noncurrent_version_days: int = Field(default=7, ge=1, le=365)  # deleted or overwritten backups stay this long
    # On by default; `objectLock: null` turns it off (an existing vault gains it in place: components/backup_vault.py).
    object_lock: ObjectLockSettings | None = Field(default_factory=lambda: ObjectLockSettings(mode="GOVERNANCE"))
    # The one role that may lower or redirect the vault's protections (its lifecycle, object lock, replication,
    # versioning, encryption, bucket and key policies) and delete a backup's versions: an administrator's, never the
    # pipeline's. Required with a vault (settings/safety_rules).
    administrator_arn: RoleArn | None = None
    replica_region: Region | None = None  # a copy in another region, for the region-loss case
    access_logging: bool = False
    access_log_retention_days: int = Field(default=365, ge=1, le=3650)


class EncryptionSettings(_Model):
    """The customer-managed KMS keys the stack creates."""

    deletion_window_days: int = Field(default=30, ge=7, le=30)  # KMS allows 7 to 30


# GitHub's OIDC subject as this project has the repository customise it (docs/gitops.md: `PUT /repos/{owner}/{repo}/
# actions/oidc/customization/sub`): the repository's id, which a repository taking over a renamed one's old name does
# not have; the job's environment (`context`); and the workflow file the job runs, at the branch it runs from. Only
# the promotion workflow on main assumes the pipeline's roles (.github/workflows/promote.yml, called by deploy.yml).
GITHUB_SUBJECT_CLAIMS = ("repository_id", "context", "job_workflow_ref")
PIPELINE_WORKFLOW = ".github/workflows/promote.yml"
PIPELINE_REF = "refs/heads/main"


class CiIdentitySettings(_Model):
    """GitHub Actions' keyless identity in this account: deploy and preview roles for one repository environment."""

    owner: Annotated[str, AfterValidator(matching(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})", "a GitHub owner name"))]
    repository: Annotated[
        str, AfterValidator(matching(r"[A-Za-z0-9._-]{1,100}", "a GitHub repository name (letters, digits, ._-)"))
    ]
    # The GitHub environment whose jobs may deploy this stack (its reviewers gate the apply); `<environment>-preview`
    # is the ungated one the preview jobs run in.
    environment: Annotated[
        str, AfterValidator(matching(r"[A-Za-z0-9_-]{1,64}", "a GitHub environment name of letters, digits, _ or -"))
    ]
    # The repository's numeric id (`gh api repos/<owner>/<repo> --jq .id`), which GitHub's customised subject carries.
    repository_id: int = Field(ge=1)
    state_bucket: BucketName | None = None  # the S3 state backend the pipeline logs in to, if S3
    github_oidc_provider_arn: (
        Annotated[
            str,
            AfterValidator(
                matching(
                    r"arn:aws(-us-gov|-cn)?:iam::\d{12}:oidc-provider/token\.actions\.githubusercontent\.com",
                    "the ARN of this account's IAM OIDC provider for token.actions.githubusercontent.com",
                )
            ),
        ]
        | None
    ) = None  # the account already has GitHub's provider (one per account); default: create it

    @property
    def subject(self) -> str:
        """The deploy role's subject: the gated environment, in the promotion workflow on main."""
        return self._subject(self.environment)

    @property
    def preview_subject(self) -> str:
        """The preview role's subject: the plan job's `<environment>-preview`, in the same workflow on main."""
        return self._subject(f"{self.environment}-preview")

    def _subject(self, environment: str) -> str:
        # GitHub writes each claim as `<key>:<value>` in the customisation's order, the context as `environment:<name>`.
        written = {
            "repository_id": f"repository_id:{self.repository_id}",
            "context": f"environment:{environment}",
            "job_workflow_ref": f"job_workflow_ref:{self.owner}/{self.repository}/{PIPELINE_WORKFLOW}@{PIPELINE_REF}",
        }
        return ":".join(written[claim] for claim in GITHUB_SUBJECT_CLAIMS)


class OcmRoleSettings(_Model):
    """The role that links this AWS account to a Red Hat organisation (`rosa create ocm-role`), its values as
    `rosa whoami` prints them. Red Hat's installer role assumes it with the organisation's id as external id."""

    organization_id: OcmId  # "OCM Organization ID": the trust's sts:ExternalId, and `rosa link --organization-id`
    organization_external_id: RoleNamePart  # "OCM Organization External ID": ends the role's name
    profile: OcmRoleProfile = "standard"  # admin lets OCM create roles and OIDC providers; no-console reads one role


class UserRoleSettings(_Model):
    """A Red Hat user's role, which OCM assumes to check the account (`rosa create user-role`; `rosa whoami`)."""

    ocm_username: RoleNamePart  # "OCM Account Username": in the role's name
    ocm_account_id: OcmId  # "OCM Account ID": the trust's sts:ExternalId, and `rosa link user-role --account-id`


class QuotaSettings(_Model):
    """AWS quotas the stack checks its own needs against before registering anything (AWS's defaults; raise a value
    here after raising the quota in Service Quotas)."""

    roles_per_account: int = Field(default=1000, ge=1)
    oidc_providers_per_account: int = Field(default=100, ge=1)
    customer_managed_policies_per_account: int = Field(default=1500, ge=1)
    managed_policies_per_role: int = Field(default=10, ge=1, le=20)
    role_trust_policy_size: int = Field(default=2048, ge=1, le=4096)
    buckets_per_account: int = Field(default=10000, ge=1)
    rules_per_security_group: int = Field(default=60, ge=1, le=1000)


class StackSettings(_Model):
    """One stack's settings (`stacks/Pulumi.<stack>.yaml`): the account, its account roles, its clusters and what
    they share. Derived names live in `foundation.names`; rules across fields in `foundation.settings.rules`."""

    account_id: AccountId
    region: Region
    partition: Partition = "aws"
    account_role_prefix: RolePrefix = "ManagedOpenShift"
    iam_path: IamPath = "/"
    permissions_boundary: PolicyArn | None = None
    tags: dict[TagKey, TagValue] = Field(default_factory=dict)
    trust_external_id: ExternalId | None = None
    ocm_environment: OcmEnvironment = "production"
    # Whom the Support role trusts: OCM's `sts_support_rh_sre_role` for the organisation (README); default Red Hat's
    # template, role/RH-Technical-Support-Access in the OCM account of this partition and environment.
    red_hat_support_principal: RoleArn | None = None
    account_role_topologies: tuple[Topology, ...] | None = None  # default: the topologies the clusters use
    classic_policy_version: MinorVersion | None = None  # default: the newest classic cluster's minor
    clusters: tuple[ClusterSettings, ...] = ()
    # Roles several clusters of the stack trust (each entry's `trustedClusters`): they outlive any one cluster.
    workload_roles: tuple[WorkloadRoleSettings, ...] = ()
    # Role key (`foundation.role_keys`) -> the boundary that role carries instead of `permissionsBoundary`.
    permissions_boundary_overrides: dict[str, PolicyArn] = Field(default_factory=dict)
    # ROSA's account or operator role key -> managed policies attached beside its own (`rosa attach policy`).
    extra_policy_arns: dict[str, tuple[PolicyArn, ...]] = Field(default_factory=dict)
    backup: BackupSettings | None = None  # no backup vault without it
    encryption: EncryptionSettings = Field(default_factory=EncryptionSettings)
    # Keep buckets and keys in AWS even when the stack itself is destroyed (after `pulumi state unprotect`).
    retain_stateful_on_delete: bool = True
    ci_identity: CiIdentitySettings | None = None  # off by default
    # The OCM role and user roles that link the account to Red Hat's OCM; in a stack holding the account roles.
    ocm_role: OcmRoleSettings | None = None
    user_roles: tuple[UserRoleSettings, ...] = ()
    quotas: QuotaSettings = Field(default_factory=QuotaSettings)
    # single: one stack for the account and its clusters. account / cluster: the split layout for large fleets, an
    # account stack and one stack per cluster reading the account stack's outputs (README, "One stack or many").
    # vpc-owner: the VPC owner's account in HCP shared VPC, serving clusters of other accounts (`shared_vpc`).
    layout: Literal["single", "account", "cluster", "vpc-owner"] = "single"
    account_stack: StackReferenceName | None = None
    shared_vpc: SharedVpcOwnerSettings | None = None  # layout vpc-owner only
    # Import what rosa already made, by kind (README, "Adopting an account rosa already set up"); () imports nothing.
    adopt: tuple[AdoptKind, ...] = ()

    # --- derived facts ------------------------------------------------------------------------------------------

    @cached_property
    def topologies(self) -> tuple[Topology, ...]:
        wanted = set(self.account_role_topologies or (c.topology for c in self.clusters))
        return tuple(t for t in TOPOLOGY_ORDER if t in wanted)

    @cached_property
    def classic_version(self) -> str | None:
        """The version of the account-wide classic policies: explicit, else the newest classic cluster's minor."""
        if self.classic_policy_version:
            return self.classic_policy_version
        minors = [c.openshift_minor for c in self.clusters if c.topology == "classic" and c.openshift_minor]
        return max(minors, key=version_key) if minors else None

    @property
    def ocm_account_id(self) -> str:
        """Red Hat's OCM (jump) account for this partition and OCM environment."""
        return load_catalogue().partitions[self.partition].ocm_account_ids[self.ocm_environment]

    @property
    def red_hat_principals(self) -> dict[RedHatRole, str]:
        """The ARNs the Installer and the Support role trust (`rosa create account-roles`: the OCM templates
        `sts_installer_trust_policy` and `sts_support_trust_policy` with the jump account of this partition)."""
        roles = load_catalogue().red_hat_roles
        template = {r: naming.iam_arn(self.partition, self.ocm_account_id, "role", "/", roles[r]) for r in roles}
        return template | ({"support": self.red_hat_support_principal} if self.red_hat_support_principal else {})

    def operator_specs(self, cluster: ClusterSettings) -> tuple[OperatorRoleSpec, ...]:
        """The operator roles of `cluster` in this stack's partition (GovCloud classic clusters have a seventh)."""
        return load_catalogue().topology(cluster.topology).operator_roles_in(self.partition)

    def workload_role_entries(self) -> tuple[tuple[str, WorkloadRoleSettings], ...]:
        """Every workload role entry with its config key: each cluster's
        (`rosa-foundation:clusters[i].workloadRoles[j]`) in settings order, then the stack's
        (`rosa-foundation:workloadRoles[j]`)."""
        clusters = tuple(
            (f"{config_key('clusters')}[{i}].workloadRoles[{j}]", workload)
            for i, cluster in enumerate(self.clusters)
            for j, workload in enumerate(cluster.workload_roles)
        )
        return clusters + tuple((f"{config_key('workloadRoles')}[{j}]", w) for j, w in enumerate(self.workload_roles))

    @property
    def classic_operator_specs(self) -> tuple[OperatorRoleSpec, ...]:
        """The classic operator roles in this partition, whose policies are account-wide."""
        return load_catalogue().classic.operator_roles_in(self.partition)
