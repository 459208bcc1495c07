"""Workload roles several clusters of the stack trust (the stack's `workloadRoles`, each with `trustedClusters`): one
role for the same service account on a blue/green pair, trusted by one exact-subject statement per cluster's issuer.

Such a role belongs to no one cluster, so it lives here, beside the clusters and not inside any ClusterFoundation:
retiring one cluster of the pair removes only its statement, never the role the other still uses. Its default name
is the stack's, `<account role prefix>-<namespace>-<service account>` (`StackNames.workload_role`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi

from components.oidc_provider import OidcProvider
from components.role import RoleDefaults, service_account_role
from foundation.irsa import IrsaRole
from foundation.project import type_token


@dataclass(frozen=True)
class SharedWorkloadRolesArgs:
    """The stack's roles (`foundation.irsa.shared_roles`) and the OIDC provider of each cluster they name."""

    roles: tuple[IrsaRole, ...]
    oidc: Mapping[str, OidcProvider]  # by cluster name
    role_defaults: RoleDefaults


class SharedWorkloadRoles(pulumi.ComponentResource):
    """Outputs: role_arns (role key `<namespace>/<service account>` -> ARN)."""

    role_arns: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: SharedWorkloadRolesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(type_token("iam", "SharedWorkloadRoles"), name, None, opts)
        self.role_arns = {spec.key: self._role(name, args, spec) for spec in args.roles}
        self.register_outputs({"role_arns": self.role_arns})

    def _role(self, name: str, args: SharedWorkloadRolesArgs, spec: IrsaRole) -> pulumi.Output[str]:
        issuers = [args.oidc[cluster] for cluster in spec.clusters]
        logical = f"{name}-{spec.key.replace('/', '-')}"
        return service_account_role(logical, spec, issuers=issuers, defaults=args.role_defaults, parent=self).arn
