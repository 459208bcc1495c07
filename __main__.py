"""rosa-foundation: the AWS account side of ROSA with STS, for the stack's settings (stacks/Pulumi.<stack>.yaml)."""

import pulumi

from components.account_reference import AccountRolesReference
from components.account_roles import AccountRoleArns, AccountRoles
from components.backup_vault import BackupVault, BackupVaultArgs
from components.ci_identity import CiIdentity
from components.cluster_foundation import ClusterFoundation, ClusterFoundationArgs
from components.provider import account_provider
from foundation.settings import load_settings

# 1. Settings: every rule is checked here, before the first resource is registered.
settings = load_settings()
in_account = pulumi.ResourceOptions(providers=[account_provider(settings)])

# 2. Account-wide roles and policies, for each topology the clusters use; a cluster stack of the split layout reads
#    them from its account stack instead.
account_roles: AccountRoleArns = (
    AccountRolesReference("account-stack", settings)
    if settings.layout == "cluster"
    else AccountRoles("account-roles", settings, in_account)
)

# 3. Per cluster: OIDC provider, operator roles, KMS keys, security groups, workload and backup roles.
clusters = {
    cluster.name: ClusterFoundation(cluster.name, ClusterFoundationArgs(cluster, settings, account_roles), in_account)
    for cluster in settings.clusters
}

# 4. The shared backup vault, whose key admits every cluster's backup role (per-cluster vaults live in step 3).
shared_vault = None
if settings.backup and settings.backup.vault == "shared":
    writers = {name: f.backup_role_arn for name, f in clusters.items() if f.backup_role_arn}
    shared_vault = BackupVault(
        "backup-vault", BackupVaultArgs(settings, settings.backup_bucket(None), writers), in_account
    )

# 5. The pipeline's keyless identity, where the stack turns it on.
ci_identity = CiIdentity("ci-identity", settings, in_account) if settings.ci_identity else None

# 6. Outputs: what `rosa create cluster` and the next pipeline step need.
pulumi.export("accountId", settings.account_id)
pulumi.export("accountRolePrefix", settings.account_role_prefix)
pulumi.export("accountRoleArns", account_roles.role_arns)
pulumi.export("classicOperatorPolicyArns", account_roles.classic_operator_policy_arns)
pulumi.export("clusters", {name: foundation.summary for name, foundation in clusters.items()})
pulumi.export("backupVault", shared_vault.summary if shared_vault else None)
pulumi.export("ciIdentity", ci_identity.summary if ci_identity else None)
