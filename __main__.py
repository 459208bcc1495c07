"""rosa-foundation: the AWS account side of ROSA with STS, for the stack's settings (stacks/Pulumi.<stack>.yaml)."""

import pulumi

from components.account_reference import AccountRolesReference
from components.account_roles import AccountRoleArns, AccountRoles, AccountRolesArgs
from components.backup_vault import BackupVault, BackupVaultArgs
from components.ci_identity import CiIdentity, CiIdentityArgs
from components.cluster_foundation import ClusterFoundation, ClusterFoundationArgs
from components.encryption_keys import KeyDefaults
from components.ocm_roles import OcmRoles, OcmRolesArgs
from components.oidc_provider import oidc_providers
from components.provider import account_provider
from components.role import RoleDefaults
from components.shared_vpc import SharedVpcShare, SharedVpcShareArgs
from components.shared_workload_roles import SharedWorkloadRoles, SharedWorkloadRolesArgs
from components.vpc_owner_reference import VpcOwnerReference, shared_vpc_owner
from foundation import irsa, outputs, shared_vpc
from foundation.backup_plan import vault_plans
from foundation.names import StackNames
from foundation.preflight import preflight
from foundation.settings.loading import load_settings, load_vpc_owners

# 1. Settings, then the preflight (quotas and sizes): every rule is checked before the first resource is registered;
#    so are the VPC owner stacks whose subnets clusters use (their files, beside this one).
settings = load_settings()
vpc_owners = load_vpc_owners(settings)
preflight(settings)
names = StackNames(settings)
in_account = pulumi.ResourceOptions(providers=[account_provider(settings)])

# 2. The pipeline's keyless identity, where the stack turns it on: first, as every role carries its boundary and
#    every key policy names its deploy role. The boundary lets a shared-VPC cluster's roles assume its VPC owner's.
vpc_owner_roles = tuple(
    arn for roles in shared_vpc.owner_role_arns(settings, vpc_owners).values() for arn in roles.values()
)
ci_identity = (
    CiIdentity("ci-identity", CiIdentityArgs.of(names, settings.ci_identity, vpc_owner_roles), in_account)
    if settings.ci_identity
    else None
)
role_defaults = RoleDefaults.of(settings, ci_identity.boundary_arn if ci_identity else None)
key_defaults = KeyDefaults.of(settings, ci_identity.deploy_role_arn if ci_identity else None)


# 3. Account-wide roles and policies, for each topology the clusters use; a cluster stack of the split layout reads
#    them from its account stack instead, and a VPC owner stack (HCP shared VPC) has none.
account_roles: AccountRoleArns | None = (
    AccountRolesReference("account-stack", settings.account_stack, settings.topologies, settings.classic_operator_specs)
    if settings.layout == "cluster" and settings.account_stack
    else None
    if settings.layout == "vpc-owner"
    else AccountRoles("account-roles", AccountRolesArgs.of(names, role_defaults), in_account)
)
#    Beside them, where the settings ask: the OCM role and user roles that link the account to Red Hat's OCM.
ocm_roles = (
    OcmRoles("ocm-roles", OcmRolesArgs.of(names, role_defaults), in_account)
    if settings.ocm_role or settings.user_roles
    else None
)

# 4. A VPC owner stack shares its VPC with each cluster it serves, in another account: roles trusted by that
#    cluster's exact roles, private hosted zones, its subnets through AWS RAM. A cluster in such a VPC reads its
#    owner's shares through a StackReference, and its owner's roles' exact ARNs from the owner's stack file.
shares = {
    served.name: SharedVpcShare(
        f"{served.name}-shared-vpc", SharedVpcShareArgs.of(settings, served, role_defaults), in_account
    ).summary
    for served in (settings.shared_vpc.clusters if settings.shared_vpc else ())
}
owner_references = {stack: VpcOwnerReference(stack, owner) for stack, owner in sorted(vpc_owners.items())}


# 5. One IAM OIDC provider per issuer: the clusters on one managed OIDC config share it; a self-hosted issuer is its
#    cluster's own.
oidc = oidc_providers(names, settings.retain_stateful_on_delete, in_account)

# 6. Per cluster: operator roles, KMS keys, security groups, workload and backup roles (and its own vault, where
#    vaults are per cluster). One backup plan per vault serves the vault and its clusters.
plans = vault_plans(names)
per_cluster_vaults = bool(settings.backup and settings.backup.vault == "per-cluster")
clusters = {
    cluster.name: ClusterFoundation(
        cluster.name,
        ClusterFoundationArgs(
            cluster=cluster,
            names=names,
            role_defaults=role_defaults,
            key_defaults=key_defaults,
            account_roles=account_roles,
            oidc=oidc[cluster.name],
            backup_plan=plans.get(names.vault_of(cluster) or ""),
            own_vault=per_cluster_vaults,
            shared_vpc=shared_vpc_owner(settings, cluster, owner_references),
        ),
        in_account,
    )
    for cluster in settings.clusters
}

# 7. Workload roles several clusters trust (blue/green): the stack's, as they outlive any one of its clusters.
stack_workload_roles = (
    SharedWorkloadRoles(
        "workload-roles",
        SharedWorkloadRolesArgs(irsa.shared_roles(names), oidc, role_defaults),
        in_account,
    )
    if settings.workload_roles
    else None
)

# 8. The shared backup vault, whose key and policy admit each cluster's backup role by its exact ARN.
shared_vault = None
if settings.backup and not per_cluster_vaults:
    shared_plan = plans[names.shared_vault_bucket()]
    shared_vault = BackupVault(
        "backup-vault", BackupVaultArgs.of(names, shared_plan, role_defaults, key_defaults), in_account
    )

# 9. Outputs: what `rosa create cluster` and the next pipeline step need (foundation/outputs.py).
pulumi.export(outputs.ACCOUNT_ID, settings.account_id)
if account_roles:
    pulumi.export(outputs.ACCOUNT_ROLE_PREFIX, settings.account_role_prefix)
    pulumi.export(outputs.ACCOUNT_ROLE_ARNS, account_roles.role_arns)
    pulumi.export(outputs.CLASSIC_OPERATOR_POLICY_ARNS, account_roles.classic_operator_policy_arns)
    pulumi.export(outputs.CLUSTERS, {name: foundation.summary for name, foundation in clusters.items()})
    pulumi.export(outputs.BACKUP_VAULT, shared_vault.summary if shared_vault else None)
if settings.shared_vpc:
    pulumi.export(outputs.SHARED_VPC, {"vpcId": settings.shared_vpc.vpc_id, "clusters": shares})
pulumi.export(outputs.CI_IDENTITY, ci_identity.summary if ci_identity else None)
if ocm_roles:  # only where the settings ask, so that other stacks' outputs stay as they were
    pulumi.export(outputs.OCM_ROLES, ocm_roles.summary)
if stack_workload_roles:
    pulumi.export(outputs.WORKLOAD_ROLE_ARNS, stack_workload_roles.role_arns)
