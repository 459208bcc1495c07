"""Everything one ROSA cluster needs in the account before `rosa create cluster`, and the command that uses it."""

from __future__ import annotations

import shlex
from dataclasses import dataclass

import pulumi

from components.account_roles import AccountRoleArns
from components.backup_vault import BackupVault, BackupVaultArgs
from components.encryption_keys import EncryptionKeys, EncryptionKeysArgs, KeyDefaults, cluster_key_specs
from components.oidc_provider import OidcProvider
from components.operator_roles import OperatorRoles, OperatorRolesArgs
from components.role import RoleDefaults
from components.security_groups import SecurityGroups, SecurityGroupsArgs, ingress_by_node_role
from components.workload_roles import WorkloadRoles, WorkloadRolesArgs
from foundation import backup_plan, irsa
from foundation.backup_plan import VaultPlan
from foundation.catalogue import BACKUP_FREQUENCIES
from foundation.names import StackNames
from foundation.outputs import BackupOutputs, ClusterOutputs
from foundation.project import CLUSTER_FOUNDATION
from foundation.settings import ClusterSettings, SelfHostedOidc


@dataclass(frozen=True)
class ClusterFoundationArgs:
    """One cluster's settings, the names and defaults of its resources, and what it uses of the stack."""

    cluster: ClusterSettings
    names: StackNames
    role_defaults: RoleDefaults
    key_defaults: KeyDefaults
    account_roles: AccountRoleArns
    oidc: OidcProvider  # its issuer's, built once per issuer for the stack (`oidc_providers`)
    # The plan of the vault its backups go to (None without backups), and whether that vault is the cluster's own.
    backup_plan: VaultPlan | None
    own_vault: bool


class ClusterFoundation(pulumi.ComponentResource):
    """One cluster's operator roles, KMS keys, security groups, workload and backup roles (and its backup vault when
    vaults are per cluster), all trusting its issuer's OIDC provider.

    Outputs: backup_role_arn (None without backups), rosa_create_cluster_args (the `rosa create cluster` arguments
    that use exactly these resources), summary (`ClusterOutputs`, the cluster's stack output).
    """

    backup_role_arn: pulumi.Output[str] | None
    rosa_create_cluster_args: pulumi.Output[list[str]]
    summary: pulumi.Output[ClusterOutputs]

    def __init__(self, name: str, args: ClusterFoundationArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(CLUSTER_FOUNDATION, name, None, opts)
        cluster, names, child = args.cluster, args.names, pulumi.ResourceOptions(parent=self)
        account_role_arns = args.account_roles.role_arns[cluster.topology]
        oidc = args.oidc
        operator_roles = OperatorRoles(
            f"{name}-operator-roles",
            OperatorRolesArgs(
                prefix=cluster.operator_prefix,
                topology=cluster.topology,
                roles=irsa.operator_roles(names, cluster),
                oidc=oidc,
                role_defaults=args.role_defaults,
                classic_policy_arns=args.account_roles.classic_operator_policy_arns,
            ),
            child,
        )
        aliases = {purpose: names.cluster_key_alias(cluster, purpose) for purpose in ("volumes", "etcd")}
        keys = EncryptionKeys(
            f"{name}-keys",
            EncryptionKeysArgs(
                cluster_key_specs(cluster.name, cluster.topology, aliases, account_role_arns, operator_roles.role_arns),
                args.key_defaults,
            ),
            child,
        )
        security_groups = (
            SecurityGroups(
                f"{name}-security-groups",
                SecurityGroupsArgs(
                    cluster=cluster.name,
                    topology=cluster.topology,
                    network=cluster.network,
                    group_names={
                        role: names.security_group(cluster, role)
                        for role in ingress_by_node_role(cluster.topology, cluster.network)
                    },
                    scope=names.settings.account_role_prefix,
                ),
                child,
            )
            if cluster.network
            else None
        )
        plan = args.backup_plan
        workload_roles = WorkloadRoles(
            f"{name}-workload-roles",
            WorkloadRolesArgs(
                oidc=oidc,
                role_defaults=args.role_defaults,
                application_roles=irsa.application_roles(names, cluster),
                backup_role=plan.backup_role(names, cluster) if plan else None,
            ),
            child,
        )
        self.backup_role_arn = workload_roles.backup_role_arn
        vault = None
        if plan and args.own_vault and self.backup_role_arn:
            writers = {cluster.name: self.backup_role_arn}
            vault = BackupVault(f"{name}-backup-vault", BackupVaultArgs.of(names, plan, writers), child)

        group_ids = security_groups.group_ids if security_groups else {}
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
            backupRoleArn=self.backup_role_arn,
            vault=vault.summary if vault else None,
        )
        self.summary = facts.apply(
            lambda values: cluster_summary(cluster, names.settings.region, oidc.config_id, plan, values)
        )
        self.rosa_create_cluster_args = self.summary.apply(lambda summary: summary["rosaCreateClusterArgs"])
        self.register_outputs(
            {
                "backup_role_arn": self.backup_role_arn,
                "rosa_create_cluster_args": self.rosa_create_cluster_args,
                "summary": self.summary,
            }
        )


def cluster_summary(
    cluster: ClusterSettings,
    region: str,
    config_id: str | None,
    plan: VaultPlan | None,
    facts: dict,
) -> ClusterOutputs:
    """The cluster's stack output, from its resources' resolved facts."""
    args = rosa_create_cluster_args(
        cluster, region, facts["accountRoleArns"], config_id, facts["kmsKeyArns"], facts["securityGroupIds"]
    )
    register = rosa_register_oidc_config_args(
        cluster, facts["accountRoleArns"], facts["oidcIssuerUrl"], facts["oidcPrivateKeySecretArn"]
    )
    backup_role_arn = facts["backupRoleArn"]
    backup: BackupOutputs | None = None
    if plan and backup_role_arn:
        backup = {
            "bucket": plan.bucket,
            "prefixes": {f: plan.prefix(f, cluster.name) for f in BACKUP_FREQUENCIES},
            "roleArn": backup_role_arn,
            "vault": facts["vault"],
            "manifests": backup_plan.manifests(plan, cluster.name, backup_role_arn),
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
        "workloadRoleArns": facts["workloadRoleArns"],
        "backup": backup,
        "rosaCreateClusterArgs": args,
        "rosaCreateClusterCommand": shlex.join(args),
        "rosaRegisterOidcConfigArgs": register,
        "rosaRegisterOidcConfigCommand": shlex.join(register) if register else None,
        "rosaNextSteps": rosa_next_steps(cluster, register, args),
    }


def rosa_create_cluster_args(
    cluster: ClusterSettings,
    region: str,
    role_arns: dict[str, str],
    config_id: str | None,
    key_arns: dict[str, str],
    group_ids: dict[str, str],
) -> list[str]:
    """`rosa create cluster` with the roles, prefix, OIDC config, keys and security groups of this stack (subnets
    and other network flags are the user's)."""
    args = ["rosa", "create", "cluster", "--cluster-name", cluster.name, "--region", region]
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


def rosa_register_oidc_config_args(
    cluster: ClusterSettings, role_arns: dict[str, str], issuer_url: str, secret_arn: str | None
) -> list[str] | None:
    """`rosa register oidc-config` for a self-hosted issuer (None for a managed config, which OCM made): registers
    the issuer with OCM and prints the config id `rosa create cluster --oidc-config-id` takes.

    Its flags are rosa's constants `InstallerRoleArnFlag`, `IssuerUrlFlag`, `SecretArnFlag` (the installer role reads
    the private key's secret). Register then runs `rosa create oidc-provider` in `--mode`: in either mode it stops at
    "OIDC provider already exists" when the account has one for the issuer, as it does after `pulumi up`; `manual`
    because should it be missing, auto would create an IAM provider outside the stack, on which the stack's own
    `pulumi up` then fails (EntityAlreadyExists), where manual only prints the `aws` command."""
    if not isinstance(cluster.oidc, SelfHostedOidc) or secret_arn is None:
        return None
    return [
        *("rosa", "register", "oidc-config", "--mode", "manual"),
        *("--role-arn", role_arns["installer"], "--issuer-url", issuer_url, "--secret-arn", secret_arn),
    ]


def rosa_next_steps(cluster: ClusterSettings, register: list[str] | None, create: list[str]) -> list[str]:
    """The shell lines to run next for this cluster, in order, after `pulumi up`: a self-hosted issuer is registered
    with OCM first and its config id goes into the settings, so that `rosa create cluster` names it."""
    if register and not cluster.oidc.config_id:
        return [
            shlex.join(register),
            f"# then set oidc.configId of cluster {cluster.name!r} to the id it printed and run `pulumi up` again: "
            "rosaCreateClusterCommand then carries --oidc-config-id and comes next",
        ]
    return [shlex.join(create)]
