"""The keys of the stack's roles in its name table (`StackNames.iam_names`), by which the settings
`permissionsBoundaryOverrides` and `extraPolicyArns` name a role: `account-role/<topology>/<role>`,
`cluster/<name>/operator-role/<namespace>/<operator>`, `cluster/<name>/workload-role/<namespace>/<service account>`,
`cluster/<name>/backup-role`, `workload-role/<namespace>/<service account>` (the stack's own workload roles),
`vault/<bucket>/replication-role`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from foundation.catalogue import AccountRoleSpec, OperatorRoleSpec, Topology
from foundation.settings.models import ClusterSettings

Name = TypeVar("Name")  # `foundation.names.IamName`, which builds its table with the key functions below


def account_role_key(topology: Topology, spec: AccountRoleSpec) -> str:
    return f"account-role/{topology}/{spec.slug}"


def operator_role_key(cluster: ClusterSettings, spec: OperatorRoleSpec) -> str:
    return f"cluster/{cluster.name}/operator-role/{spec.slug}"


def role_keys(table: Mapping[str, Name]) -> dict[str, Name]:
    """Every role of a name table (`StackNames.iam_names()`) but the pipeline's own, by key."""
    return {key: n for key, n in table.items() if getattr(n, "kind", None) == "role" and not key.startswith("ci/")}


def is_rosa_role(key: str) -> bool:
    """Whether role key `key` is one of ROSA's own roles, which rosa tags `red-hat-managed` and `rosa attach policy`
    alone takes (openshift/rosa pkg/policy/policy_service.go: account and operator roles)."""
    return key.startswith("account-role/") or "/operator-role/" in key
