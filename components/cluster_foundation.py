"""Everything one ROSA cluster needs in the account before `rosa create cluster`, and the command that uses it."""

from __future__ import annotations

import dataclasses
import json
import shlex
from dataclasses import dataclass
from typing import Any

import pulumi

from components.account_roles import AccountRoleArns
from components.audit_log import AuditLog, AuditLogArgs
from components.auto_node import AutoNode, AutoNodeArgs, volume_key_grants
from components.backup_vault import BackupVault, BackupVaultArgs
from components.encryption_keys import EncryptionKeys, EncryptionKeysArgs, KeyDefaults, cluster_key_specs
from components.log_forwarding import LogForwarding, LogForwardingArgs, log_forwarder_config
from components.oidc_provider import OidcProvider
from components.operator_roles import OperatorRoles, OperatorRolesArgs
from components.role import RoleDefaults
from components.security_groups import (
    API_ENDPOINT,
    NODE_ROLES,
    SecurityGroups,
    SecurityGroupsArgs,
    ingress_by_group,
)
from components.shared_vpc_access import SharedVpcAccess, SharedVpcAccessArgs, SharedVpcOwner
from components.workload_roles import WorkloadRoles, WorkloadRolesArgs
from foundation import backup_plan, irsa
from foundation.adoption import Adoption, RoleImport
from foundation.backup_plan import VaultPlan
from foundation.catalogue import BACKUP_FREQUENCIES, SHARED_VPC_ROLES, load_catalogue
from foundation.names import StackNames
from foundation.outputs import (
    AuditLogOutputs,
    AutoNodeOutputs,
    BackupOutputs,
    CloudWatchLogsOutputs,
    ClusterOutputs,
    LogForwardingOutputs,
    S3LogsOutputs,
)
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
    shared_vpc: SharedVpcOwner | None = None  # the VPC owner whose subnets it uses (network.sharedVpc)


class ClusterFoundation(pulumi.ComponentResource):
    """One cluster's operator roles, KMS keys, security groups, workload and backup roles (and its backup vault when
    vaults are per cluster), all trusting its issuer's OIDC provider; in another account's VPC, the grants of its
    Installer and operator roles on the VPC owner's two roles (`SharedVpcAccess`); for HCP, as its settings ask, its
    AutoNode role, its audit-log role and its control-plane log destinations.

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
                imports=operator_imports(names, cluster),
            ),
            child,
        )
        auto_node_role = irsa.auto_node_role(names, cluster)
        auto_node = (
            AutoNode(
                f"{name}-auto-node",
                AutoNodeArgs(
                    role=auto_node_role,
                    oidc=oidc,
                    role_defaults=args.role_defaults,
                    policy_name=names.identities.auto_node_policy(cluster).name,
                ),
                child,
            )
            if auto_node_role
            else None
        )
        aliases = {purpose: names.cluster_key_alias(cluster, purpose) for purpose in ("volumes", "etcd")}
        operator_arns = operator_roles.role_arns
        key_specs = cluster_key_specs(cluster.name, cluster.topology, aliases, account_role_arns, operator_arns)
        if auto_node:  # Karpenter launches the cluster's encrypted volumes
            karpenter = volume_key_grants(auto_node.role_arn, names.settings.region)
            key_specs = tuple(
                dataclasses.replace(spec, grants=(*spec.grants, *karpenter)) if spec.purpose == "volumes" else spec
                for spec in key_specs
            )
        keys = EncryptionKeys(f"{name}-keys", EncryptionKeysArgs(key_specs, args.key_defaults), child)
        audit_log_role = irsa.audit_log_role(names, cluster)
        audit_log = (
            AuditLog(f"{name}-audit-log", AuditLogArgs(audit_log_role, oidc, args.role_defaults), child)
            if audit_log_role
            else None
        )
        log_forwarding = (
            LogForwarding(
                f"{name}-log-forwarding",
                LogForwardingArgs.of(names, cluster, args.role_defaults, args.key_defaults),
                child,
            )
            if cluster.log_forwarding
            else None
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
                        for role in ingress_by_group(cluster.topology, cluster.network)
                    },
                    scope=names.settings.account_role_prefix,
                ),
                child,
            )
            if cluster.network and cluster.network.vpc_id
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
        if plan and args.own_vault:
            vault = BackupVault(
                f"{name}-backup-vault", BackupVaultArgs.of(names, plan, args.role_defaults, args.key_defaults), child
            )

        shared = args.shared_vpc
        access = (
            SharedVpcAccess(
                f"{name}-shared-vpc",
                SharedVpcAccessArgs(
                    cluster=cluster.name,
                    shared_role_arns=shared.role_arns,
                    assuming_roles={"installer": account_role_arns["installer"], **operator_roles.role_arns},
                    path=names.settings.iam_path,
                ),
                child,
            )
            if shared
            else None
        )

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
            sharedVpcPolicyArns=access.policy_arns if access else None,
            sharedVpcShare=shared.share if shared else None,
            autoNodeRoleArn=auto_node.role_arn if auto_node else None,
            autoNodePolicyArn=auto_node.policy_arn if auto_node else None,
            auditLogRoleArn=audit_log.role_arn if audit_log else None,
            logForwardingRoleArn=log_forwarding.role_arn if log_forwarding else None,
            logGroupArn=log_forwarding.log_group_arn if log_forwarding else None,
            logKmsKeyArn=log_forwarding.kms_key_arn if log_forwarding else None,
            logBucketArn=log_forwarding.bucket_arn if log_forwarding else None,
        )
        self.summary = facts.apply(
            lambda values: cluster_summary(
                cluster, names.settings.region, oidc.config_id, plan, values, names.settings.trust_external_id, shared
            )
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
    external_id: str | None,
    shared: SharedVpcOwner | None = None,
) -> ClusterOutputs:
    """The cluster's stack output, from its resources' resolved facts."""
    group_ids = facts["securityGroupIds"]
    log_forwarding = log_forwarding_outputs(cluster, facts)
    audit_log: AuditLogOutputs | None = None
    if facts["auditLogRoleArn"]:
        audit_log = {"roleArn": facts["auditLogRoleArn"], "rosaFlags": ["--audit-log-arn", facts["auditLogRoleArn"]]}
    extra = [*(audit_log["rosaFlags"] if audit_log else []), *(log_forwarding["rosaFlags"] if log_forwarding else [])]
    share = facts.get("sharedVpcShare")
    shared_args = tuple(shared_vpc_args(cluster, shared, share)) if shared else ()
    args = rosa_create_cluster_args(
        cluster,
        region,
        facts["accountRoleArns"],
        config_id,
        facts["kmsKeyArns"],
        group_ids,
        external_id,
        shared_args,
        extra=extra,
    )
    register = rosa_register_oidc_config_args(
        cluster, facts["accountRoleArns"], facts["oidcIssuerUrl"], facts["oidcPrivateKeySecretArn"]
    )
    waiting = {unregistered_config_id(cluster), *unapplied_owner_zones(cluster, shared).values()}
    create = shell_command(args, expanded=waiting)
    auto_node: AutoNodeOutputs | None = None
    if facts["autoNodeRoleArn"]:
        edit = rosa_enable_auto_node_args(cluster, facts["autoNodeRoleArn"])
        auto_node = {
            "roleArn": facts["autoNodeRoleArn"],
            "policyArn": facts["autoNodePolicyArn"],
            "rosaEditClusterArgs": edit,
            "rosaEditClusterCommand": shlex.join(edit),
        }
    after_create = after_create_cluster_commands(cluster, region, group_ids)
    if auto_node:
        after_create.append(auto_node["rosaEditClusterCommand"])
    before_create = [log_forwarding["writeConfigCommand"]] if log_forwarding else []
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
    summary: ClusterOutputs = {
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
        "rosaCreateClusterCommand": create,
        "rosaCreateClusterReady": config_id is not None and not (shared and share is None),
        "afterCreateClusterCommands": after_create,
        "rosaRegisterOidcConfigArgs": register,
        "rosaRegisterOidcConfigCommand": shlex.join(register) if register else None,
        "rosaNextSteps": rosa_next_steps(
            cluster, register, [*before_create, create], after_create, shared if share is None else None
        ),
    }
    if shared:  # only shared-VPC clusters carry it: every other cluster's output stays as it was
        summary["sharedVpc"] = {
            "ownerStack": shared.owner_stack,
            "route53RoleArn": shared.role_arns["route53"],
            "vpcEndpointRoleArn": shared.role_arns["vpc-endpoint"],
            "assumePolicyArns": facts["sharedVpcPolicyArns"],
            "ingressPrivateHostedZoneId": share["ingressPrivateHostedZoneId"] if share else None,
            "hcpInternalCommunicationHostedZoneId": share["hcpInternalCommunicationHostedZoneId"] if share else None,
            "baseDomain": shared.base_domain,
        }
    # Only where the settings turn them on: every other cluster's output stays as it was.
    if log_forwarding:
        summary["logForwarding"] = log_forwarding
    if audit_log:
        summary["auditLog"] = audit_log
    if auto_node:
        summary["autoNode"] = auto_node
    return summary


def log_forwarding_outputs(cluster: ClusterSettings, facts: dict[str, Any]) -> LogForwardingOutputs | None:
    """Where the cluster's control-plane logs go and how rosa is told: the `--log-fwd-config` document, the file
    `rosa create cluster` reads it from and the line that writes it, and `rosa create log-forwarder` for a cluster
    that already exists."""
    forwarding = cluster.log_forwarding
    if not forwarding:
        return None
    cloudwatch: CloudWatchLogsOutputs | None = None
    if forwarding.cloudwatch and facts["logGroupArn"]:
        log_group_arn = facts["logGroupArn"]
        cloudwatch = {
            "logGroupName": log_group_arn.split(":log-group:", 1)[1],
            "logGroupArn": log_group_arn,
            "retentionDays": forwarding.cloudwatch.retention_days,
            "kmsKeyArn": facts["logKmsKeyArn"],
            "roleArn": facts["logForwardingRoleArn"],
        }
    s3: S3LogsOutputs | None = None
    if forwarding.s3 and facts["logBucketArn"]:
        bucket_arn = facts["logBucketArn"]
        s3 = {
            "bucket": bucket_arn.split(":::", 1)[1],
            "bucketArn": bucket_arn,
            "prefix": forwarding.s3.prefix,
            "retentionDays": forwarding.s3.retention_days,
        }
    config = log_forwarder_config(
        cluster,
        cloudwatch["logGroupName"] if cloudwatch else None,
        cloudwatch["roleArn"] if cloudwatch else None,
        s3["bucket"] if s3 else None,
    )
    config_file = f"{cluster.name}-log-fwd-config.yaml"
    create_forwarder = ["rosa", "create", "log-forwarder", "--cluster", cluster.name, "--log-fwd-config", config_file]
    return {
        "cloudwatch": cloudwatch,
        "s3": s3,
        "config": config,
        "configFile": config_file,
        # JSON is YAML: one line the shell writes as it is.
        "writeConfigCommand": f"printf '%s\\n' {shlex.quote(json.dumps(config, sort_keys=True))} > {config_file}",
        "rosaFlags": ["--log-fwd-config", config_file],
        "rosaCreateLogForwarderCommand": shlex.join(create_forwarder),
    }


def rosa_enable_auto_node_args(cluster: ClusterSettings, role_arn: str) -> list[str]:
    """`rosa edit cluster` turning AutoNode on with Karpenter's role, once the cluster exists: rosa's create command
    has no AutoNode flag (openshift/rosa pkg/helper/autonode/helpers.go: `autonode`, `autonode-iam-role-arn`)."""
    return [
        *("rosa", "edit", "cluster", "--cluster", cluster.name),
        *("--autonode", "enabled", "--autonode-iam-role-arn", role_arn),
    ]


def rosa_create_cluster_args(
    cluster: ClusterSettings,
    region: str,
    role_arns: dict[str, str],
    config_id: str | None,
    key_arns: dict[str, str],
    group_ids: dict[str, str],
    external_id: str | None,
    shared_vpc: tuple[str, ...] = (),
    extra: list[str] | None = None,
) -> list[str]:
    """`rosa create cluster` with this stack's version, roles, external id, prefix, OIDC config, subnets, privacy,
    shared VPC (`shared_vpc_args`), keys and security groups, and `extra` (an HCP cluster's --audit-log-arn and
    --log-fwd-config), in rosa's current flag names (tests/data/rosa_create_cluster_flags.json holds rosa's flags and
    rules the tests hold every command to).

    A self-hosted issuer not yet registered with OCM has no config id: `--oidc-config-id` then carries
    `unregistered_config_id`, which stops the pasted command with what to do first."""
    hcp, network = cluster.topology == "hcp", cluster.network
    args = ["rosa", "create", "cluster", "--cluster-name", cluster.name, "--region", region]
    args += ["--hosted-cp"] if hcp else ["--sts"]
    if cluster.openshift_version:
        args += ["--version", cluster.openshift_version]
    args += ["--role-arn", role_arns["installer"], "--support-role-arn", role_arns["support"]]
    if external_id:
        args += ["--external-id", external_id]
    if not hcp:
        args += ["--controlplane-iam-role-arn", role_arns["instance-controlplane"]]
    args += ["--worker-iam-role-arn", role_arns["instance-worker"]]
    args += ["--operator-roles-prefix", cluster.operator_prefix]
    args += ["--oidc-config-id", config_id or unregistered_config_id(cluster)]
    if network and network.subnet_ids:
        args += ["--subnet-ids", ",".join(network.subnet_ids)]
        spec = load_catalogue().create_cluster
        if not hcp and spec.classic_multi_az(network.private, len(network.subnet_ids)):
            args += ["--multi-az"]
    if network and network.private:  # rosa: HCP --private is PrivateLink; classic takes --private-link alone
        args += ["--private"] if hcp else ["--private-link"]
    args += list(shared_vpc)
    args += ["--kms-key-arn", key_arns["volumes"]]
    if "etcd" in key_arns:
        args += ["--etcd-encryption", "--etcd-encryption-kms-arn", key_arns["etcd"]]
    for role, group_id in sorted(group_ids.items()):
        if role in NODE_ROLES:  # the api-endpoint group has no rosa flag: afterCreateClusterCommands
            args += [f"--additional-{role}-security-group-ids", group_id]
    return args + (extra or [])


def shared_vpc_args(cluster: ClusterSettings, shared: SharedVpcOwner, share: dict | None) -> list[str]:
    """rosa's HCP shared-VPC flags (cmd/create/cluster/cmd.go, validation.go `validateHcpSharedVpcArgs`): the owner's
    two roles, its two private hosted zones, the cluster's reserved base domain, and the owner's roles as the
    additional principals its API's endpoint service accepts. Until the owner stack is applied
    (`share` None) each zone id is a shell parameter that stops the pasted command, saying so
    (`unapplied_owner_zones`)."""
    zones = unapplied_owner_zones(cluster, shared)
    if share:
        zones = {
            "ingress": share["ingressPrivateHostedZoneId"],
            "internal": share["hcpInternalCommunicationHostedZoneId"],
        }
    return [
        *(
            "--route53-role-arn",
            shared.role_arns["route53"],
            "--vpc-endpoint-role-arn",
            shared.role_arns["vpc-endpoint"],
        ),
        *("--ingress-private-hosted-zone-id", zones["ingress"]),
        *("--hcp-internal-communication-hosted-zone-id", zones["internal"]),
        *("--base-domain", shared.base_domain),
        # The hosted control plane's endpoint service accepts the owner's roles' endpoint requests: rosa asks for them
        # for a shared VPC (cmd.go, "Additional Allowed Principal ARNs", required), Red Hat's module passes both.
        *("--additional-allowed-principals", ",".join(shared.role_arns[kind] for kind in SHARED_VPC_ROLES)),
    ]


def unapplied_owner_zones(cluster: ClusterSettings, shared: SharedVpcOwner | None) -> dict[str, str]:
    """The zone ids of a shared-VPC cluster whose owner stack is not yet applied, by purpose: shell parameters that,
    unset, stop the pasted command before rosa runs and say what to do; exported, they are the ids."""
    if shared is None:
        return {}
    variables = {p: f"{p.upper()}_ZONE_ID_{cluster.name.upper().replace('-', '_')}" for p in ("ingress", "internal")}
    return {
        purpose: (
            f"${{{variable}:?the VPC owner stack {shared.owner_stack} has not shared its hosted zones with cluster "
            f"{cluster.name}: pulumi up that stack, then this one, or export {variable}}}"
        )
        for purpose, variable in variables.items()
    }


def unregistered_config_id(cluster: ClusterSettings) -> str:
    """The `--oidc-config-id` of a self-hosted issuer not yet registered: a shell parameter that, unset, stops the
    pasted command before rosa runs and says what to do; exported, it is the id."""
    variable = "OIDC_CONFIG_ID_" + cluster.name.upper().replace("-", "_")
    return (
        f"${{{variable}:?the OIDC config of cluster {cluster.name} is not registered: run rosa register oidc-config, "
        f"then set its oidc.configId in the stack, or export {variable}}}"
    )


def shell_command(args: list[str], expanded: set[str]) -> str:
    """`args` as one shell line: each quoted as a literal, except those in `expanded`, which the shell expands."""
    return " ".join(f'"{arg}"' if arg in expanded else shlex.quote(arg) for arg in args)


def after_create_cluster_commands(cluster: ClusterSettings, region: str, group_ids: dict[str, str]) -> list[str]:
    """What to run once `rosa create cluster` has made the cluster: put a private HCP cluster's API endpoint group
    on the VPC endpoint OCM creates for its API (found by the cluster id OCM tags it with), as Red Hat's HCP module
    does; rosa has no flag for it."""
    if API_ENDPOINT not in group_ids or not cluster.network or not cluster.network.vpc_id:
        return []
    tag = load_catalogue().create_cluster.api_endpoint_cluster_tag
    cluster_id = f"$(rosa describe cluster --cluster {cluster.name} --output json | jq -r .id)"
    endpoint = (
        f"$(aws ec2 describe-vpc-endpoints --region {region} --filters Name=vpc-id,Values={cluster.network.vpc_id} "
        f"\"Name=tag:{tag},Values={cluster_id}\" --query 'VpcEndpoints[0].VpcEndpointId' --output text)"
    )
    return [
        f'aws ec2 modify-vpc-endpoint --region {region} --vpc-endpoint-id "{endpoint}" '
        f"--add-security-group-ids {group_ids[API_ENDPOINT]}"
    ]


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


def rosa_next_steps(
    cluster: ClusterSettings,
    register: list[str] | None,
    create: list[str],
    after_create: list[str],
    unapplied_owner: SharedVpcOwner | None = None,
) -> list[str]:
    """The shell lines to run next for this cluster, in order, after `pulumi up`: a self-hosted issuer is registered
    with OCM first and its config id goes into the settings, so that `rosa create cluster` names it; a shared-VPC
    cluster's VPC owner stack is applied once this cluster's roles exist (its roles trust them), then this stack
    again for the owner's zones; then the cluster is created (`create`: the lines that write what it reads, and the
    command), then what rosa has no flag for (`afterCreateClusterCommands`)."""
    if register and not cluster.oidc.config_id:
        return [
            shlex.join(register),
            f"# then set oidc.configId of cluster {cluster.name!r} to the id it printed and run `pulumi up` again: "
            "rosaCreateClusterCommand then carries --oidc-config-id and comes next",
        ]
    if unapplied_owner:
        owner = unapplied_owner.owner_stack
        return [
            shlex.join(["pulumi", "up", "--stack", owner]),
            "# the VPC owner's roles trust this cluster's roles, which now exist; then run `pulumi up` on this stack "
            "again: rosaCreateClusterCommand then carries the owner's hosted zones and comes next",
        ]
    return [*create, *after_create]


def operator_imports(names: StackNames, cluster: ClusterSettings) -> dict[str, RoleImport]:
    """The cluster's operator roles the stack adopts (`rosa-foundation:adopt`), by operator slug."""
    adoption = Adoption(names)
    imports = {spec.slug: adoption.operator_role(cluster, spec) for spec in names.settings.operator_specs(cluster)}
    return {slug: ids for slug, ids in imports.items() if ids}
