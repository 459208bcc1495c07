"""Everything one ROSA cluster needs in the account before `rosa create cluster`, and the command that uses it."""

from __future__ import annotations

import shlex
from dataclasses import dataclass

import pulumi

from components.account_roles import AccountRoles
from components.oidc_provider import OidcProvider
from components.operator_roles import OperatorRoles, OperatorRolesArgs
from foundation.settings import ClusterSettings, StackSettings


@dataclass(frozen=True)
class ClusterFoundationArgs:
    cluster: ClusterSettings
    settings: StackSettings
    account_roles: AccountRoles


class ClusterFoundation(pulumi.ComponentResource):
    """One cluster's OIDC provider and operator roles.

    Outputs: oidc (OidcProvider), operator_roles (OperatorRoles), rosa_create_cluster_args (the `rosa create cluster`
    arguments that use exactly these resources), summary (the cluster's stack output).
    """

    rosa_create_cluster_args: pulumi.Output[list[str]]
    summary: pulumi.Output[dict]

    def __init__(self, name: str, args: ClusterFoundationArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("rosa-foundation:cluster:ClusterFoundation", name, None, opts)
        cluster, child = args.cluster, pulumi.ResourceOptions(parent=self)
        self.oidc = OidcProvider(f"{name}-oidc", cluster, args.settings, child)
        self.operator_roles = OperatorRoles(
            f"{name}-operator-roles",
            OperatorRolesArgs(
                cluster=cluster,
                settings=args.settings,
                oidc_provider_arn=self.oidc.provider_arn,
                issuer_host_path=self.oidc.issuer_host_path,
                classic_policy_arns=args.account_roles.classic_operator_policy_arns,
            ),
            child,
        )
        account_roles = args.account_roles.role_arns[cluster.topology]
        self.rosa_create_cluster_args = pulumi.Output.all(account_roles, self.oidc.config_id).apply(
            lambda values: rosa_create_cluster_args(cluster, args.settings, values[0], values[1])
        )
        self.summary = pulumi.Output.all(
            topology=cluster.topology,
            openshiftVersion=cluster.openshift_version,
            accountRoleArns=account_roles,
            operatorRolePrefix=self.operator_roles.prefix,
            operatorRoleArns=self.operator_roles.role_arns,
            oidcProviderArn=self.oidc.provider_arn,
            oidcIssuerUrl=self.oidc.issuer_url,
            oidcConfigId=self.oidc.config_id,
            oidcPrivateKeySecretArn=self.oidc.private_key_secret_arn,
            rosaCreateClusterArgs=self.rosa_create_cluster_args,
            rosaCreateClusterCommand=self.rosa_create_cluster_args.apply(shlex.join),
        )
        self.register_outputs({"rosa_create_cluster_args": self.rosa_create_cluster_args, "summary": self.summary})


def rosa_create_cluster_args(
    cluster: ClusterSettings, settings: StackSettings, role_arns: dict[str, str], config_id: str | None
) -> list[str]:
    """`rosa create cluster` with the roles, prefix and OIDC config of this stack (network flags are the user's)."""
    args = ["rosa", "create", "cluster", "--cluster-name", cluster.name, "--region", settings.region]
    args += ["--hosted-cp"] if cluster.topology == "hcp" else ["--sts"]
    args += ["--role-arn", role_arns["installer"], "--support-role-arn", role_arns["support"]]
    args += ["--worker-iam-role", role_arns["instance-worker"]]
    if cluster.topology == "classic":
        args += ["--controlplane-iam-role", role_arns["instance-controlplane"]]
    args += ["--operator-roles-prefix", cluster.operator_prefix]
    if config_id:  # a self-hosted config has an id only once registered with OCM
        args += ["--oidc-config-id", config_id]
    return args
