"""The guardrails' view of a stack: its resources as a graph, a rule, a finding, and reading IAM documents.

Both adapters (`policies/check.py` over a render, `policies/pack.py` under CrossGuard) build this `Graph`; every rule
in `policies/rules/` judges it and knows nothing of where it came from.

A rule sees every resource the program registers, including ones added by hand. Where a resource's value is not
known yet (a first preview), the rule skips that value; the update's own run judges it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from foundation.iam import listed

Level = Literal["advisory", "mandatory", "disabled"]
# How bad a finding is, whatever its level: the level says whether it blocks, the severity what to fix first.
# critical: someone outside the account, or any workload, gets in or takes over; high: data exposed or lost for good;
# medium: a defence in depth missing; low: bookkeeping. The names are CrossGuard's (pulumi_policy.Severity).
Severity = Literal["critical", "high", "medium", "low"]


class _Unknown:
    """A value the engine does not know yet (first preview of a new resource)."""

    def __repr__(self) -> str:
        return "<unknown>"


UNKNOWN = _Unknown()


@dataclass(frozen=True)
class Resource:
    type: str
    name: str  # logical name
    urn: str
    inputs: Mapping[str, Any]
    protect: bool
    dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # input key -> URNs it came from
    provider: str | None = None  # URN of the provider resource it was registered with (its defaultTags apply)


class Graph:
    def __init__(self, resources: Iterable[Resource]):
        self.resources = list(resources)
        self._by_urn = {r.urn: r for r in self.resources}

    def of_type(self, *types: str) -> list[Resource]:
        return [r for r in self.resources if r.type in types]

    def referring(self, target: Resource, type_: str, key: str) -> list[Resource]:
        """Resources of `type_` whose input `key` came from `target` (e.g. the versioning of a bucket)."""
        return [r for r in self.of_type(type_) if target.urn in r.dependencies.get(key, ())]

    def provider_of(self, resource: Resource) -> Resource | None:
        """The provider resource `resource` was registered with, if the graph holds it."""
        return self._by_urn.get(resource.provider) if resource.provider else None


@dataclass(frozen=True)
class Finding:
    rule: str
    level: Level
    severity: Severity
    resource: str  # logical name
    resource_type: str
    message: str
    remediation: str
    accepted_because: str | None = None  # an exception from the stack's policy config

    def __str__(self) -> str:
        text = f"[{self.level}, {self.severity}] {self.rule}: {self.resource} ({self.resource_type}): {self.message}"
        if self.accepted_because:
            return f"{text} -- accepted: {self.accepted_because}"
        return f"{text}\n    fix: {self.remediation}"


Check = Callable[[Graph, Mapping[str, Any]], Iterator[tuple[Resource, str]]]


@dataclass(frozen=True)
class Rule:
    name: str  # kebab-case, as CrossGuard shows it
    description: str
    remediation: str
    level: Level
    severity: Severity
    check: Check
    config_schema: Mapping[str, Any] = field(default_factory=dict)  # the rule's own tunables (JSON schema properties)

    def __post_init__(self) -> None:
        # The offline check would print a misspelt severity as it is; refuse it where the rule is declared.
        if self.severity not in get_args(Severity):
            raise ValueError(f"{self.name}: severity {self.severity!r} is not one of {get_args(Severity)}")


# --- reading IAM documents --------------------------------------------------------------------------------------


def document_statements(text: Any) -> list[dict[str, Any]]:
    """The statements of a policy document given as JSON text; none while it is unknown or absent."""
    if not isinstance(text, str):
        return []
    statements = json.loads(text).get("Statement", [])
    return statements if isinstance(statements, list) else [statements]


def statement_principals(statement: Mapping[str, Any], kind: str) -> list[str]:
    """The principals of `kind` (AWS, Service, Federated) a statement names; `"*"` counts as every AWS principal."""
    principal = statement.get("Principal")
    if principal == "*":
        return ["*"] if kind == "AWS" else []
    return listed((principal or {}).get(kind))


def is_known(value: Any) -> bool:
    return value is not UNKNOWN
