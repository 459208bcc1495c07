"""Runs the guardrails: every rule of every domain over a graph, with a stack's policy config and its exceptions.

The config is CrossGuard's `--policy-pack-config` format, so one file (`policies/config/<stack>.json`) serves the
offline check and the pack alike.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from typing import Any

from policies.graph import Finding, Graph, Level, Rule
from policies.rules import iam, kms, network, state, storage

RULES: tuple[Rule, ...] = (*iam.RULES, *storage.RULES, *kms.RULES, *network.RULES, *state.RULES)
EXCEPTIONS_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"resource": {"type": "string"}, "reason": {"type": "string", "minLength": 10}},
        "required": ["resource", "reason"],
        "additionalProperties": False,
    },
}


def run_rule(rule: Rule, graph: Graph, config: Mapping[str, Any]) -> list[Finding]:
    """One rule over `graph` with its config (`enforcementLevel`, `exceptions`, its tunables)."""
    level: Level = config.get("enforcementLevel", rule.level)
    if level == "disabled":
        return []
    findings = []
    for resource, message in rule.check(graph, config):
        reason = next(
            (e["reason"] for e in config.get("exceptions", []) if fnmatch.fnmatchcase(resource.name, e["resource"])),
            None,
        )
        findings.append(
            Finding(rule.name, level, rule.severity, resource.name, resource.type, message, rule.remediation, reason)
        )
    return findings


def evaluate(graph: Graph, pack_config: Mapping[str, Any] | None = None) -> list[Finding]:
    """Every rule over `graph`, with the stack's policy config in CrossGuard's `--policy-pack-config` format:
    `{"<rule>": {"enforcementLevel": ..., "exceptions": [{"resource": ..., "reason": ...}], ...}}`."""
    return [f for rule in RULES for f in run_rule(rule, graph, dict((pack_config or {}).get(rule.name) or {}))]


def unknown_config_keys(pack_config: Mapping[str, Any]) -> list[str]:
    """Config entries that name no rule (a typo would silently keep the default)."""
    names = {r.name for r in RULES} | {"all"}
    return sorted(set(pack_config) - names)
