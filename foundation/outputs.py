"""The stack's outputs: their keys and shapes, known here once by the program that exports them and by every reader
(the render writes each cluster's manifests from them; a cluster stack of the split layout reads its account stack's).

The shapes are TypedDicts of the resolved values, as `pulumi stack output --json` prints them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NotRequired, TypedDict

# Top-level output keys.
ACCOUNT_ID = "accountId"
ACCOUNT_ROLE_PREFIX = "accountRolePrefix"
ACCOUNT_ROLE_ARNS = "accountRoleArns"  # topology -> account role slug -> ARN
CLASSIC_OPERATOR_POLICY_ARNS = "classicOperatorPolicyArns"  # operator slug -> ARN
CLUSTERS = "clusters"  # cluster name -> ClusterOutputs
BACKUP_VAULT = "backupVault"  # the shared vault's VaultOutputs, or None
CI_IDENTITY = "ciIdentity"  # CiIdentityOutputs, or None
# Only with the stack's own workload roles: `<namespace>/<service account>` -> ARN of the role its clusters trust.
WORKLOAD_ROLE_ARNS = "workloadRoleArns"
OCM_ROLES = "ocmRoles"  # OcmRolesOutputs; only in a stack with an OCM role or user roles
SHARED_VPC = "sharedVpc"  # a VPC owner stack's SharedVpcOutputs (layout vpc-owner only)


class VaultOutputs(TypedDict):
    """One backup vault."""

    bucket: str
    bucketArn: str
    region: str
    kmsKeyArn: str
    retentionDays: dict[str, int]  # frequency -> days: the lifecycle's expiry and Velero's TTL
    objectLock: dict[str, Any] | None  # {"mode": GOVERNANCE | COMPLIANCE, "days": int}
    administratorArn: str  # the one role that may lower the vault's protections or delete a backup's versions
    replicaBucket: str | None
    replicaRegion: str | None
    replicaKmsKeyArn: str | None
    accessLogBucket: str | None


class BackupOutputs(TypedDict):
    """One cluster's backups: where they go, the role Velero uses, and the manifests that set it up."""

    bucket: str
    prefixes: dict[str, str]  # frequency -> `<frequency>/<cluster>`
    roleArn: str
    vault: VaultOutputs | None  # the cluster's own vault (per-cluster vaults); None when the vault is shared
    manifests: list[dict[str, Any]]  # Kubernetes objects, ready for `oc apply`


class CloudWatchLogsOutputs(TypedDict):
    logGroupName: str
    logGroupArn: str
    retentionDays: int
    kmsKeyArn: str
    roleArn: str  # Red Hat's log distribution role assumes it


class S3LogsOutputs(TypedDict):
    bucket: str
    bucketArn: str
    prefix: str
    retentionDays: int


class LogForwardingOutputs(TypedDict):
    """Where an HCP cluster's control-plane logs go (each destination, or None), and how rosa is told (`rosa create
    cluster --log-fwd-config`, or `rosa create log-forwarder` once the cluster exists)."""

    cloudwatch: CloudWatchLogsOutputs | None
    s3: S3LogsOutputs | None
    config: dict[str, Any]  # rosa's --log-fwd-config document
    configFile: str  # where --log-fwd-config reads it
    writeConfigCommand: str  # the shell line that writes it there
    rosaFlags: list[str]
    rosaCreateLogForwarderCommand: str


class AuditLogOutputs(TypedDict):
    """An HCP cluster's audit-log forwarding to CloudWatch."""

    roleArn: str
    rosaFlags: list[str]  # --audit-log-arn <role>, in rosaCreateClusterArgs


class AutoNodeOutputs(TypedDict):
    """An HCP cluster's AutoNode (Karpenter): its role and policy, and the rosa call that turns it on."""

    roleArn: str
    policyArn: str
    rosaEditClusterArgs: list[str]
    rosaEditClusterCommand: str  # also the last of afterCreateClusterCommands


class ClusterOutputs(TypedDict):
    """What `rosa create cluster` and the next pipeline step need of one cluster."""

    topology: str
    openshiftVersion: str | None
    accountRoleArns: dict[str, str]
    operatorRolePrefix: str
    operatorRoleArns: dict[str, str]
    oidcProviderArn: str
    oidcIssuerUrl: str
    oidcConfigId: str | None
    oidcPrivateKeySecretArn: str | None
    kmsKeyArns: dict[str, str]
    securityGroupIds: dict[str, str]
    workloadRoleArns: dict[str, str]
    backup: BackupOutputs | None
    rosaCreateClusterArgs: list[str]
    rosaCreateClusterCommand: str
    # False while a self-hosted OIDC config awaits registration: the command's --oidc-config-id is then a shell
    # parameter that stops it, saying so, until the id is set (cluster_foundation.unregistered_config_id).
    rosaCreateClusterReady: bool
    afterCreateClusterCommands: list[str]  # shell lines to run once the cluster exists (a private HCP's API group)
    # A self-hosted issuer's registration with OCM, run after `pulumi up` and before `rosa create cluster` (None for
    # a managed config).
    rosaRegisterOidcConfigArgs: list[str] | None
    rosaRegisterOidcConfigCommand: str | None
    rosaNextSteps: list[str]  # what to run next, in order: register-then-create where the issuer is not registered
    # Present only where the cluster's settings turn them on (HCP).
    logForwarding: NotRequired[LogForwardingOutputs]
    auditLog: NotRequired[AuditLogOutputs]
    autoNode: NotRequired[AutoNodeOutputs]
    sharedVpc: NotRequired[SharedVpcAccess]  # a cluster in another account's VPC only


class SharedVpcClusterOutputs(TypedDict):
    """What a VPC owner shares with one cluster: what its `rosa create cluster` names, and what its stack checks."""

    accountId: str  # the cluster's account
    route53RoleArn: str  # --route53-role-arn
    vpcEndpointRoleArn: str  # --vpc-endpoint-role-arn
    trustedRoleArns: dict[str, list[str]]  # route53 / vpc-endpoint -> the cluster account's roles each trusts
    ingressPrivateHostedZoneId: str  # --ingress-private-hosted-zone-id
    ingressPrivateHostedZoneName: str  # rosa.<cluster>.<base domain>
    hcpInternalCommunicationHostedZoneId: str  # --hcp-internal-communication-hosted-zone-id
    hcpInternalCommunicationHostedZoneName: str  # <cluster>.hypershift.local
    baseDomain: str  # --base-domain
    resourceShareArn: str
    subnetIds: list[str]  # shared with the cluster's account


class SharedVpcOutputs(TypedDict):
    vpcId: str
    clusters: dict[str, SharedVpcClusterOutputs]  # cluster name -> its share


class SharedVpcAccess(TypedDict):
    """A shared-VPC cluster's side (`clusters.<name>.sharedVpc`): the owner it reads and the policies it holds."""

    ownerStack: str
    route53RoleArn: str
    vpcEndpointRoleArn: str
    assumePolicyArns: dict[str, str]  # route53 / vpc-endpoint -> the cluster account's `<role>-assume-role` policy
    # The owner's shared zones and base domain as its outputs give them; None until the owner stack is applied.
    ingressPrivateHostedZoneId: str | None
    hcpInternalCommunicationHostedZoneId: str | None
    baseDomain: str | None


class CiIdentityOutputs(TypedDict):
    environment: str
    subject: str
    deployRoleArn: str
    previewSubject: str
    previewRoleArn: str
    oidcProviderArn: str


class LinkedRoleOutputs(TypedDict):
    """A role OCM must be told of once it exists: `rosa link ocm-role` / `rosa link user-role`, logged in to OCM as
    the organisation's member or that user (rosa refuses another organisation or account by the id given)."""

    roleArn: str
    rosaLinkArgs: list[str]
    rosaLinkCommand: str


class OcmRoleOutputs(LinkedRoleOutputs):
    profile: str  # standard | admin | no-console
    policyArns: dict[str, str]  # policy slug (standard, admin, no-console) -> ARN


class OcmRolesOutputs(TypedDict):
    ocmRole: OcmRoleOutputs | None
    userRoles: dict[str, LinkedRoleOutputs]  # OCM username -> its user role


def cluster_manifests(outputs: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Each cluster's Kubernetes manifests (OADP/Velero backups), by cluster name, from the resolved stack outputs."""
    clusters: Mapping[str, ClusterOutputs] = outputs.get(CLUSTERS) or {}
    return {name: cluster["backup"]["manifests"] for name, cluster in clusters.items() if cluster.get("backup")}
