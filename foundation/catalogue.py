"""ROSA's knowledge as typed data: `data/catalogue.json` plus the vendored classic policy documents.

Everything the stack knows about ROSA comes through here; see `data/SOURCES.md` for provenance.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, model_validator

from foundation import naming
from foundation.iam import document_json

DATA_DIR = Path(__file__).parent / "data"
CLASSIC_POLICY_DIR = DATA_DIR / "policies" / "classic"
OCM_POLICY_DIR = DATA_DIR / "policies" / "ocm"
HCP_POLICY_DIR = DATA_DIR / "policies" / "hcp"  # Red Hat's HCP documents no AWS-managed policy carries

Topology = Literal["hcp", "classic"]
# The AWS partitions ROSA is offered in (commercial and GovCloud); aws-cn and the ISO partitions have no ROSA.
Partition = Literal["aws", "aws-us-gov"]
OcmEnvironment = Literal["production", "staging"]
RedHatRole = Literal["installer", "support"]
OcmRoleProfile = Literal["standard", "admin", "no-console"]  # rosa create ocm-role: default, --admin, --no-console
BackupFrequency = Literal["hourly", "daily", "weekly"]
BACKUP_FREQUENCIES: tuple[BackupFrequency, ...] = ("hourly", "daily", "weekly")


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RoleTrust(_Data):
    """Who may assume an account role: one of Red Hat's OCM roles, or an AWS service."""

    red_hat_role: RedHatRole | None = None
    service: str | None = None

    @model_validator(mode="after")
    def _exactly_one_principal(self) -> RoleTrust:
        if (self.red_hat_role is None) == (self.service is None):
            raise ValueError("a role trusts either one Red Hat role or one AWS service")
        return self


class AccountRoleSpec(_Data):
    role: str  # the name part between prefix and "-Role", e.g. "HCP-ROSA-Installer"
    role_type: str  # the value of the `rosa_role_type` tag
    trust: RoleTrust
    external_id: bool  # whether the optional sts:ExternalId condition applies to this role
    managed_policy: str | None = None  # HCP: the AWS-managed policy attached
    policy: str | None = None  # classic: the vendored document id

    @property
    def slug(self) -> str:
        """A stable key for this role, independent of naming prefixes: `installer`, `instance-worker`."""
        return self.role_type.replace("_", "-")


class OperatorRoleSpec(_Data):
    namespace: str
    operator: str  # the name of the credentials secret the operator reads, as OCM's credential request names it
    service_accounts: tuple[str, ...]
    managed_policy: str | None = None
    policy: str | None = None
    partitions: tuple[Partition, ...] = ()  # only in these partitions (GovCloud's VPC endpoint operator); () = all

    @property
    def slug(self) -> str:
        """The key `rosa` and OCM use for an operator role: `<namespace>/<operator>`."""
        return f"{self.namespace}/{self.operator}"

    @property
    def subjects(self) -> tuple[str, ...]:
        return tuple(naming.service_account_subject(self.namespace, sa) for sa in self.service_accounts)


class TopologySpec(_Data):
    account_roles: tuple[AccountRoleSpec, ...]
    operator_roles: tuple[OperatorRoleSpec, ...]  # in every partition; see `operator_roles_in`

    def operator_roles_in(self, partition: Partition) -> tuple[OperatorRoleSpec, ...]:
        """The operator roles a cluster of this topology has in `partition`."""
        return tuple(r for r in self.operator_roles if not r.partitions or partition in r.partitions)


class OidcSpec(_Data):
    client_ids: tuple[str, ...]
    managed_issuer_host: str
    # `rosa-private-key-<bucket>`: rosa's delete and register commands derive a self-hosted issuer's bucket from it
    private_key_secret_prefix: str


class BackupScheduleSpec(_Data):
    """One of ROSA's SRE backup schedules (service definition): when it runs (cron, UTC) and how long it is kept."""

    frequency: BackupFrequency
    cron: str
    retention_days: int


class ServiceAccountsSpec(_Data):
    """Who presents a cluster's service-account tokens to STS: a namespace, its service accounts and the token's
    audience (`aud`)."""

    namespace: str
    service_accounts: tuple[str, ...]
    token_audience: str

    @property
    def subjects(self) -> tuple[str, ...]:
        return tuple(naming.service_account_subject(self.namespace, sa) for sa in self.service_accounts)


class OadpSpec(ServiceAccountsSpec):
    """The OpenShift API for Data Protection operator: where it runs, its service accounts and token audience."""


class AuditLogSpec(ServiceAccountsSpec):
    """HCP audit-log forwarding to CloudWatch (`rosa create cluster --audit-log-arn`): the exporter's service account
    and the CloudWatch Logs actions Red Hat's role is given."""

    actions: tuple[str, ...]


class AutoNodeSpec(ServiceAccountsSpec):
    """HCP AutoNode (Karpenter in the hosted control plane, `rosa edit cluster --autonode`): Karpenter's service
    account, Red Hat's policy document (`HCP_POLICY_DIR`) and what it does with the cluster's volumes key."""

    policy: str
    volume_key_actions: tuple[str, ...]


class LogForwardingSpec(_Data):
    """HCP control-plane log forwarding (`rosa create cluster --log-fwd-config`): the Red Hat role that delivers the
    logs, by partition and OCM environment where Red Hat publishes one; the name prefix Red Hat requires of the
    customer's role; the log groups; the CloudWatch Logs actions; CloudWatch's allowed retentions (days)."""

    central_role_arns: dict[Partition, dict[OcmEnvironment, str]]
    role_name_prefix: str
    groups: tuple[str, ...]
    log_group_actions: tuple[str, ...]  # on the log group and its streams
    unscoped_actions: tuple[str, ...]  # name no log group (IAM authorises them on `*` only)
    bucket_write_actions: tuple[str, ...]  # the central role's, on the bucket's prefix
    bucket_object_acl: str  # the canned ACL its writes carry (`s3:x-amz-acl`)
    retention_days: tuple[int, ...]

    def central_role_arn(self, partition: Partition, environment: OcmEnvironment) -> str | None:
        return self.central_role_arns.get(partition, {}).get(environment)


class BackupSpec(_Data):
    schedules: tuple[BackupScheduleSpec, ...]
    oadp: OadpSpec

    @model_validator(mode="after")
    def _one_schedule_per_frequency(self) -> BackupSpec:
        frequencies = [s.frequency for s in self.schedules]
        if sorted(frequencies) != sorted(BACKUP_FREQUENCIES):
            raise ValueError(f"backup schedules must be exactly {BACKUP_FREQUENCIES}, not {frequencies}")
        return self

    def schedule(self, frequency: BackupFrequency) -> BackupScheduleSpec:
        return next(s for s in self.schedules if s.frequency == frequency)


class KeyGrantSpec(_Data):
    """One key policy statement ROSA documents for a customer-managed key: who may use it, for what."""

    sid: str
    account_roles: tuple[str, ...] = ()  # account role slugs
    operator_roles: tuple[str, ...] = ()  # operator role slugs
    actions: tuple[str, ...]
    aws_resource_grants_only: bool = False  # kms:GrantIsForAWSResource: grants only to AWS services (EBS, EC2)


class TopologyKeysSpec(_Data):
    key_tags: dict[str, str]  # HCP's managed policies use keys tagged red-hat=true only
    volumes: tuple[KeyGrantSpec, ...]  # EBS volumes: `rosa create cluster --kms-key-arn`
    etcd: tuple[KeyGrantSpec, ...] = ()  # HCP etcd: `--etcd-encryption-kms-arn`


class KmsSpec(_Data):
    hcp: TopologyKeysSpec
    classic: TopologyKeysSpec

    def topology(self, topology: Topology) -> TopologyKeysSpec:
        return self.hcp if topology == "hcp" else self.classic


class CreateClusterSpec(_Data):
    """What `rosa create cluster` checks of a cluster's version and network before it creates anything (see
    data/SOURCES.md), and how a hosted control plane's private API endpoint is found afterwards."""

    additional_security_groups_since: str  # --additional-*-security-group-ids
    hcp_api_endpoint_security_groups_since: str  # a security group on a private HCP's API endpoint
    classic_subnets: dict[Literal["public", "private_link"], dict[Literal["single_az", "multi_az"], int]]
    hcp_min_subnets: dict[Literal["public", "private"], int]
    api_endpoint_cluster_tag: str  # the tag OCM puts on a hosted control plane's VPC endpoint: the cluster's id
    private_only_partitions: tuple[Partition, ...]  # rosa's FedRAMP mode: every cluster private (PrivateLink)

    def classic_multi_az(self, private_link: bool, subnets: int) -> bool | None:
        """Whether a classic cluster with this many subnets is multi-AZ (rosa's count rule), None if no count fits."""
        counts = self.classic_subnets["private_link" if private_link else "public"]
        return {counts["single_az"]: False, counts["multi_az"]: True}.get(subnets)


SharedVpcRole = Literal["route53", "vpc-endpoint"]
SHARED_VPC_ROLES: tuple[SharedVpcRole, ...] = ("route53", "vpc-endpoint")


class SharedVpcSpec(_Data):
    """A hosted control plane in another account's VPC (data/SOURCES.md, "HCP shared VPC"): the VPC owner's two roles,
    the AWS-managed policies they carry and the cluster roles that assume them (`installer` or an operator slug), the
    private hosted zones `rosa.<cluster>.<base domain>` and `<cluster>.hypershift.local`, the base domains the Route53
    policy lets records be written under, and the policy rosa names `<shared role>-assume-role` in the cluster's
    account."""

    managed_policies: dict[SharedVpcRole, str]  # arn:<partition>:iam::aws:policy/<name> (no service-role/ path)
    trusted_by: dict[SharedVpcRole, tuple[str, ...]]
    role_suffixes: dict[SharedVpcRole, str]  # <cluster>-<suffix>
    resource_share_suffix: str  # <cluster>-<suffix>
    assume_role_policy_suffix: str  # <shared role name>-<suffix>
    assume_role_policy_tag: str  # rosa's tag on those policies (value "true")
    ingress_zone_prefix: str
    internal_zone_domain: str
    base_domain_suffixes: tuple[str, ...]
    max_cluster_name: int  # rosa: a shared-VPC cluster without --domain-prefix has a name of at most this many
    partitions: tuple[Partition, ...]  # rosa refuses HCP shared VPC in GovCloud


class OcmPolicySpec(_Data):
    """One permission policy of an OCM role: `<OCM role name>-<name_suffix>`, from Red Hat's document `document`."""

    slug: str  # a stable key: standard, admin, no-console
    name_suffix: str
    document: str
    role_tagged: bool = False  # carries the profile's role tag too, as rosa tags the admin and no-console policies


class OcmProfileSpec(_Data):
    """What one `rosa create ocm-role` profile creates: its policies, and the tag that marks the role as of it."""

    policies: tuple[OcmPolicySpec, ...]
    role_tag: str | None = None  # `rosa_admin_role` / `rosa_no_console_role`, "true" on the role; none for standard


class OcmRolesSpec(_Data):
    """The roles that link an AWS account to Red Hat's OCM: the organisation's OCM role and each user's user role
    (`rosa create ocm-role`, `rosa create user-role`; see data/SOURCES.md). Both trust Red Hat's installer role."""

    ocm_role_type: str  # `rosa_role_type` of the OCM role, and the name part `<prefix>-OCM-Role-<org external id>`
    user_role_type: str  # `rosa_role_type` of a user role, and the name part `<prefix>-User-<username>-Role`
    profiles: dict[OcmRoleProfile, OcmProfileSpec]


class PartitionSpec(_Data):
    """Red Hat's side of ROSA in one AWS partition: the OCM (jump) accounts whose roles the account roles trust, and
    the regions ROSA is offered in (None: every region of the partition)."""

    ocm_account_ids: dict[OcmEnvironment, str]
    regions: tuple[str, ...] | None = None


class Catalogue(_Data):
    partitions: dict[Partition, PartitionSpec]
    red_hat_roles: dict[RedHatRole, str]
    oidc: OidcSpec
    max_session_seconds: int
    hcp: TopologySpec
    classic: TopologySpec
    workload_token_audience: str
    backup: BackupSpec
    kms: KmsSpec
    create_cluster: CreateClusterSpec
    ocm_roles: OcmRolesSpec
    log_forwarding: LogForwardingSpec
    audit_log: AuditLogSpec
    auto_node: AutoNodeSpec
    shared_vpc: SharedVpcSpec

    @model_validator(mode="after")
    def _policies_fit_the_topology(self) -> Catalogue:
        """HCP attaches AWS-managed policies; classic creates its own from vendored documents. Never both."""
        for entry in (*self.hcp.account_roles, *self.hcp.operator_roles):
            if not entry.managed_policy or entry.policy:
                raise ValueError(f"hcp entry {entry} must name a managed_policy and no policy document")
        for entry in (*self.classic.account_roles, *self.classic.operator_roles):
            if not entry.policy or entry.managed_policy:
                raise ValueError(f"classic entry {entry} must name a policy document and no managed_policy")
        return self

    @model_validator(mode="after")
    def _key_grants_name_known_roles(self) -> Catalogue:
        """Every grant names roles of its topology; grant permissions stand alone (their condition would refuse any
        other action of the statement)."""
        for topology in ("hcp", "classic"):
            spec, keys = self.topology(topology), self.kms.topology(topology)
            account = {r.slug for r in spec.account_roles}
            operator = {r.slug for r in spec.operator_roles}
            for grant in (*keys.volumes, *keys.etcd):
                unknown = (set(grant.account_roles) - account) | (set(grant.operator_roles) - operator)
                if unknown or not (grant.account_roles or grant.operator_roles):
                    raise ValueError(f"{topology} key grant {grant.sid} names unknown or no roles: {sorted(unknown)}")
                grant_actions = {"kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"}
                if grant.aws_resource_grants_only != (set(grant.actions) <= grant_actions):
                    raise ValueError(
                        f"{topology} key grant {grant.sid}: grant actions, and only they, need the condition"
                    )
        return self

    def topology(self, topology: Topology) -> TopologySpec:
        return self.hcp if topology == "hcp" else self.classic

    @property
    def classic_versions(self) -> tuple[str, ...]:
        """The classic OpenShift minor versions with vendored policy documents, oldest first."""
        return tuple(sorted((p.name for p in CLASSIC_POLICY_DIR.iterdir() if p.is_dir()), key=version_key))

    def classic_policy(self, version: str, policy_id: str) -> dict:
        """The vendored permission document `policy_id` for classic OpenShift `version`, as a dict."""
        return json.loads((CLASSIC_POLICY_DIR / version / f"{policy_id}.json").read_text())

    def ocm_policy(self, policy_id: str) -> dict:
        """Red Hat's permission document `policy_id` of the OCM role (one per profile policy), as a dict."""
        return json.loads((OCM_POLICY_DIR / f"{policy_id}.json").read_text())

    def hcp_policy(self, policy_id: str) -> dict:
        """Red Hat's vendored HCP permission document `policy_id` (one no AWS-managed policy carries), as a dict."""
        return json.loads((HCP_POLICY_DIR / f"{policy_id}.json").read_text())

    def is_red_hat_policy(self, document: Mapping[str, Any]) -> bool:
        """Whether `document` is one of Red Hat's vendored permission documents, unchanged: a classic account or
        operator policy, an OCM role's, or HCP AutoNode's. ROSA requires them as they are (the classic installer
        passes and assumes roles on `*`; the admin OCM role creates roles and policies; Karpenter lets EBS use any
        `red-hat` key through EC2), and the stack cannot narrow them."""
        return document_json(document) in _red_hat_policy_texts()


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def minor_version(version: str) -> str:
    """`4.20.8` -> `4.20`: the minor a full OpenShift version belongs to (rosa's `GetVersionMinor`)."""
    return ".".join(version.split(".")[:2])


@cache
def _red_hat_policy_texts() -> frozenset[str]:
    catalogue = load_catalogue()
    specs = (*catalogue.classic.account_roles, *catalogue.classic.operator_roles)
    classic = {
        document_json(catalogue.classic_policy(version, spec.policy))
        for version in catalogue.classic_versions
        for spec in specs
        if spec.policy
    }
    ocm = {
        document_json(catalogue.ocm_policy(policy.document))
        for profile in catalogue.ocm_roles.profiles.values()
        for policy in profile.policies
    }
    auto_node = document_json(catalogue.hcp_policy(catalogue.auto_node.policy))
    return frozenset(classic | ocm | {auto_node})


@cache
def load_catalogue() -> Catalogue:
    return Catalogue.model_validate_json((DATA_DIR / "catalogue.json").read_text())
