"""The keys of the stack's roles in its name table (`StackNames.iam_names`), by which the settings
`permissionsBoundaryOverrides` and `extraPolicyArns` name a role: `account-role/<topology>/<role>`,
`cluster/<name>/operator-role/<namespace>/<operator>`, `cluster/<name>/workload-role/<namespace>/<service account>`,
`cluster/<name>/backup-role`, `workload-role/<namespace>/<service account>` (the stack's own workload roles),
`vault/<bucket>/replication-role`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from foundation.catalogue import AccountRoleSpec, OperatorRoleSpec, Topology

if TYPE_CHECKING:  # names.py builds its table with the key functions below
    from foundation.names import IamName, StackNames
    from foundation.settings.models import ClusterSettings


def account_role_key(topology: Topology, spec: AccountRoleSpec) -> str:
    return f"account-role/{topology}/{spec.slug}"


def operator_role_key(cluster: ClusterSettings, spec: OperatorRoleSpec) -> str:
    return f"cluster/{cluster.name}/operator-role/{spec.slug}"


def role_keys(names: StackNames) -> dict[str, IamName]:
    """Every role the stack creates but the pipeline's own, by key."""
    return {key: n for key, n in names.iam_names().items() if n.kind == "role" and not key.startswith("ci/")}


def is_rosa_role(key: str) -> bool:
    """Whether role key `key` is one of ROSA's own roles, which rosa tags `red-hat-managed` and `rosa attach policy`
    alone takes (openshift/rosa pkg/policy/policy_service.go: account and operator roles)."""
    return key.startswith("account-role/") or "/operator-role/" in key
