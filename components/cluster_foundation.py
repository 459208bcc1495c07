"""Everything one ROSA cluster needs in the account before `rosa create cluster`, and the command that uses it."""

from __future__ import annotations

import shlex
from dataclasses import dataclass

import pulumi

from components.account_roles import AccountRoleArns
from components.backup_vault import BACKUP_ROLE_KEY, BackupVault, BackupVaultArgs, backup_role
from components.encryption_keys import EncryptionKeys, EncryptionKeysArgs, cluster_key_specs
from components.oidc_provider import OidcProvider
from components.operator_roles import OperatorRoles, OperatorRolesArgs
from components.security_groups import SecurityGroups, SecurityGroupsArgs
from components.workload_roles import WorkloadRoles, WorkloadRolesArgs, application_role
from foundation import backup_plan
from foundation.catalogue import BACKUP_FREQUENCIES
from foundation.settings import ClusterSettings, StackSettings


@dataclass(frozen=True)
class ClusterFoundationArgs:
    cluster: ClusterSettings
    settings: StackSettings
    account_roles: AccountRoleArns


class ClusterFoundation(pulumi.ComponentResource):
    """One cluster's OIDC provider, operator roles, KMS keys, security groups, workload and backup roles (and its
    backup vault when vaults are per cluster).

    Outputs: backup_role_arn (None without backups), rosa_create_cluster_args (the `rosa create cluster` arguments
    that use exactly these resources), summary (the cluster's stack output).
    """

    backup_role_arn: pulumi.Output[str] | None
    rosa_create_cluster_args: pulumi.Output[list[str]]
    summary: pulumi.Output[dict]

    def __init__(self, name: str, args: ClusterFoundationArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("rosa-foundation:cluster:ClusterFoundation", name, None, opts)
        cluster, settings, child = args.cluster, args.settings, pulumi.ResourceOptions(parent=self)
        account_role_arns = args.account_roles.role_arns[cluster.topology]
        oidc = OidcProvider(f"{name}-oidc", cluster, settings, child)
        operator_roles = OperatorRoles(
            f"{name}-operator-roles",
            OperatorRolesArgs(
                cluster=cluster,
                settings=settings,
                oidc=oidc,
                classic_policy_arns=args.account_roles.classic_operator_policy_arns,
            ),
            child,
        )
        keys = EncryptionKeys(
            f"{name}-keys",
            EncryptionKeysArgs(settings, cluster_key_specs(cluster, account_role_arns, operator_roles.role_arns)),
            child,
        )
        security_groups = (
            SecurityGroups(f"{name}-security-groups", SecurityGroupsArgs(cluster, cluster.network, settings), child)
            if cluster.network
            else None
        )
        irsa_roles = tuple(application_role(cluster, workload) for workload in cluster.workload_roles)
        vault_bucket = None
        if settings.backup:
            vault_bucket = settings.backup_bucket(cluster if settings.backup.vault == "per-cluster" else None)
            irsa_roles += (backup_role(cluster, settings, vault_bucket),)
        workload_roles = WorkloadRoles(
            f"{name}-workload-roles",
            WorkloadRolesArgs(settings, oidc, irsa_roles),
            child,
        )
        self.backup_role_arn = workload_roles.role_arns.get(BACKUP_ROLE_KEY)
        vault = (
            BackupVault(
                f"{name}-backup-vault", BackupVaultArgs(settings, vault_bucket, {name: self.backup_role_arn}), child
            )
            if settings.backup and settings.backup.vault == "per-cluster" and self.backup_role_arn
            else None
        )

        group_ids = security_groups.group_ids if security_groups else {}
        plan = (
            backup_plan.BackupPlan(
                cluster=name,
                bucket=vault_bucket,
                region=settings.region,
                retention_days={f: settings.backup.retention_days.of(f) for f in BACKUP_FREQUENCIES},
            )
            if settings.backup and vault_bucket
            else None
        )
        # One Output for every fact, one plain summary built from it: at fleet scale each extra Output stage walked
        # these values again (benchmarks/).
        facts = pulumi.Output.all(
            accountRoleArns=account_role_arns,
            operatorRoleArns=operator_roles.role_arns,
            oidcProviderArn=oidc.provider_arn,
            oidcIssuerUrl=oidc.issuer_url,
            oidcPrivateKeySecretArn=oidc.private_key_secret_arn,
            kmsKeyArns=keys.key_arns,
            securityGroupIds=group_ids,
            workloadRoleArns=workload_roles.role_arns,
            vault=vault.summary if vault else None,
        )
        self.summary = facts.apply(lambda values: cluster_summary(cluster, settings, oidc.config_id, plan, values))
        self.rosa_create_cluster_args = self.summary.apply(lambda summary: summary["rosaCreateClusterArgs"])
        self.register_outputs({"summary": self.summary})


def cluster_summary(
    cluster: ClusterSettings,
    settings: StackSettings,
    config_id: str | None,
    plan: backup_plan.BackupPlan | None,
    facts: dict,
) -> dict:
    """The cluster's stack output, from its resources' resolved facts."""
    workload_arns = dict(facts["workloadRoleArns"])
    backup_role_arn = workload_arns.pop(BACKUP_ROLE_KEY, None)
    args = rosa_create_cluster_args(
        cluster, settings, facts["accountRoleArns"], config_id, facts["kmsKeyArns"], facts["securityGroupIds"]
    )
    backup = None
    if plan and backup_role_arn:
        backup = {
            "bucket": plan.bucket,
            "prefixes": {f: plan.prefix(f) for f in BACKUP_FREQUENCIES},
            "roleArn": backup_role_arn,
            "vault": facts["vault"],
            "manifests": backup_plan.manifests(plan, backup_role_arn),
        }
    return {
        "topology": cluster.topology,
        "openshiftVersion": cluster.openshift_version,
        "accountRoleArns": facts["accountRoleArns"],
        "operatorRolePrefix": cluster.operator_prefix,
        "operatorRoleArns": facts["operatorRoleArns"],
        "oidcProviderArn": facts["oidcProviderArn"],
        "oidcIssuerUrl": facts["oidcIssuerUrl"],
        "oidcConfigId": config_id,
        "oidcPrivateKeySecretArn": facts["oidcPrivateKeySecretArn"],
        "kmsKeyArns": facts["kmsKeyArns"],
        "securityGroupIds": facts["securityGroupIds"],
        "workloadRoleArns": workload_arns,
        "backup": backup,
        "rosaCreateClusterArgs": args,
        "rosaCreateClusterCommand": shlex.join(args),
    }


def rosa_create_cluster_args(
    cluster: ClusterSettings,
    settings: StackSettings,
    role_arns: dict[str, str],
    config_id: str | None,
    key_arns: dict[str, str],
    group_ids: dict[str, str],
) -> list[str]:
    """`rosa create cluster` with the roles, prefix, OIDC config, keys and security groups of this stack (subnets
    and other network flags are the user's)."""
    args = ["rosa", "create", "cluster", "--cluster-name", cluster.name, "--region", settings.region]
    args += ["--hosted-cp"] if cluster.topology == "hcp" else ["--sts"]
    args += ["--role-arn", role_arns["installer"], "--support-role-arn", role_arns["support"]]
    args += ["--worker-iam-role", role_arns["instance-worker"]]
    if cluster.topology == "classic":
        args += ["--controlplane-iam-role", role_arns["instance-controlplane"]]
    args += ["--operator-roles-prefix", cluster.operator_prefix]
    if config_id:  # a self-hosted config has an id only once registered with OCM
        args += ["--oidc-config-id", config_id]
    args += ["--kms-key-arn", key_arns["volumes"]]
    if "etcd" in key_arns:
        args += ["--etcd-encryption", "--etcd-encryption-kms-arn", key_arns["etcd"]]
    for node_role, group_id in sorted(group_ids.items()):
        args += [f"--additional-{node_role}-security-group-ids", group_id]
    return args
