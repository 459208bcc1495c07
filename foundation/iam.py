"""IAM documents as data: typed statements, principals and documents, serialised at one place.

Documents are checked for their use when built (a trust policy names a principal and no resource; an identity
policy names resources and no principal), so a malformed document never reaches a resource.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Effect = Literal["Allow", "Deny"]
DocumentUse = Literal["trust", "identity", "resource"]

POLICY_VERSION = "2012-10-17"
_ACTION = re.compile(r"^(\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+)$")  # IAM reads prefix and name without regard to case


class PolicyError(ValueError):
    """A document that IAM would reject, or that does not fit its use."""


@dataclass(frozen=True)
class Principal:
    """The principal of a statement: `AWS` (ARNs), `Service` (a service name) or `Federated` (an IdP ARN)."""

    kind: Literal["AWS", "Service", "Federated"]
    identifier: str | tuple[str, ...]

    def __post_init__(self) -> None:
        if isinstance(self.identifier, tuple) and (
            not self.identifier or len(set(self.identifier)) != len(self.identifier)
        ):
            raise PolicyError(f"a {self.kind} principal needs distinct identifiers, not {self.identifier}")

    @classmethod
    def aws(cls, *arns: str) -> Principal:
        return cls("AWS", arns[0] if len(arns) == 1 else tuple(arns))

    @classmethod
    def service(cls, name: str) -> Principal:
        return cls("Service", name)

    @classmethod
    def federated(cls, provider_arn: str) -> Principal:
        return cls("Federated", provider_arn)


@dataclass(frozen=True)
class Condition:
    operator: str  # e.g. StringEquals
    key: str  # e.g. sts:ExternalId
    values: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.values:
            raise PolicyError(f"condition {self.operator} on {self.key!r} has no values")
        if any(_is_wildcard(v) for v in self.values) and "Like" not in self.operator:
            raise PolicyError(f"condition {self.operator} on {self.key!r} compares a wildcard literally: {self.values}")


@dataclass(frozen=True)
class Statement:
    """One statement. `not_actions` / `not_resources` (IAM's NotAction / NotResource) take the place of `actions` /
    `resources`: a Deny of everything but reads, or on everything but the stack's own resources."""

    effect: Effect
    actions: tuple[str, ...]
    resources: tuple[str, ...] = ()
    principal: Principal | None = None
    conditions: tuple[Condition, ...] = ()
    sid: str | None = None
    not_actions: tuple[str, ...] = ()
    not_resources: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if bool(self.actions) == bool(self.not_actions):
            raise PolicyError("a statement needs actions or not_actions (exactly one of them)")
        if self.resources and self.not_resources:
            raise PolicyError("a statement names resources or not_resources, not both")
        for action in (*self.actions, *self.not_actions):
            if not _ACTION.match(action):
                raise PolicyError(f"action {action!r} is not of the form 'service:Action'")
        if self.sid is not None and not re.fullmatch(r"[A-Za-z0-9]+", self.sid):
            raise PolicyError(f"Sid {self.sid!r} may hold only letters and digits")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"Effect": self.effect}
        if self.actions:
            out["Action"] = _one_or_many(self.actions)
        else:
            out["NotAction"] = _one_or_many(self.not_actions)
        if self.sid:
            out["Sid"] = self.sid
        if self.principal:
            identifier = self.principal.identifier
            out["Principal"] = {self.principal.kind: identifier if isinstance(identifier, str) else list(identifier)}
        if self.resources:
            out["Resource"] = _one_or_many(self.resources)
        if self.not_resources:
            out["NotResource"] = _one_or_many(self.not_resources)
        if self.conditions:
            grouped: dict[str, dict[str, Any]] = {}
            for condition in self.conditions:
                grouped.setdefault(condition.operator, {})[condition.key] = _one_or_many(condition.values)
            out["Condition"] = grouped
        return out


@dataclass(frozen=True)
class PolicyDocument:
    statements: tuple[Statement, ...]
    use: DocumentUse = "identity"

    def __post_init__(self) -> None:
        if not self.statements:
            raise PolicyError("an empty policy document grants nothing and IAM rejects it")
        for statement in self.statements:
            _check_use(statement, self.use)

    def to_dict(self) -> dict[str, Any]:
        return {"Version": POLICY_VERSION, "Statement": [s.to_dict() for s in self.statements]}

    def to_json(self) -> str:
        return document_json(self.to_dict())


def document_json(document: Mapping[str, Any]) -> str:
    """The one serialisation of every IAM document the stack sends: sorted keys, no whitespace.

    Sorted keys make previews free of ordering noise; no whitespace keeps documents furthest from IAM's size limits
    (which count without whitespace anyway).
    """
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def assume_role_trust(principal: Principal, external_id: str | None = None) -> PolicyDocument:
    """Trust for `sts:AssumeRole` by one AWS principal or service, optionally bound to an external id."""
    conditions = (Condition("StringEquals", "sts:ExternalId", (external_id,)),) if external_id else ()
    statement = Statement("Allow", ("sts:AssumeRole",), principal=principal, conditions=conditions)
    return PolicyDocument((statement,), use="trust")


def web_identity_trust(
    provider_arn: str,
    issuer_host_path: str,
    subjects: tuple[str, ...],
    audience: str | None = None,
) -> PolicyDocument:
    """Trust for service accounts of one cluster: its OIDC provider, and exactly these `:sub` values."""
    return web_identity_trust_of_issuers(((provider_arn, issuer_host_path),), subjects, audience)


def web_identity_trust_of_issuers(
    issuers: tuple[tuple[str, str], ...], subjects: tuple[str, ...], audience: str | None = None
) -> PolicyDocument:
    """Trust for the same service accounts of several clusters: one statement per issuer `(provider ARN,
    <host>[/<path>])`, each pinning exactly these `:sub` values (and `aud`) under that issuer's own claim keys.
    Clusters on one issuer share its statement."""
    if not subjects:
        raise PolicyError("a web-identity trust needs at least one subject")
    if not issuers:
        raise PolicyError("a web-identity trust needs at least one issuer")
    statements = []
    for provider_arn, issuer_host_path in dict.fromkeys(issuers):
        conditions = [Condition("StringEquals", f"{issuer_host_path}:sub", subjects)]
        if audience:
            conditions.append(Condition("StringEquals", f"{issuer_host_path}:aud", (audience,)))
        statements.append(
            Statement(
                "Allow",
                ("sts:AssumeRoleWithWebIdentity",),
                principal=Principal.federated(provider_arn),
                conditions=tuple(conditions),
            )
        )
    return PolicyDocument(tuple(statements), use="trust")


def _check_use(statement: Statement, use: DocumentUse) -> None:
    if use == "trust":
        if statement.principal is None:
            raise PolicyError("a trust policy statement must name a principal")
        if statement.resources or statement.not_resources:
            raise PolicyError("a trust policy statement must not name resources")
        if statement.not_actions or not all(a.startswith("sts:") for a in statement.actions):
            raise PolicyError(f"a trust policy allows only sts: actions, not {statement.actions}")
    elif use == "identity":
        if statement.principal is not None:
            raise PolicyError("an identity policy must not name a principal")
        if not (statement.resources or statement.not_resources):
            raise PolicyError("an identity policy statement must name its resources")
    elif statement.principal is None or not statement.resources:
        raise PolicyError("a resource policy statement needs a principal and resources")


def listed(value: Any) -> list[Any]:
    """A document field as IAM allows it (absent, one value or a list) as a list: the inverse of one-or-many."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def canonical(document: str | Mapping[str, Any]) -> Any:
    """An IAM document (JSON text or parsed) as IAM reads it, for comparing two: keys sorted, a lone value or statement
    equal to a list of one, lists unordered. Two documents that differ only in these ways grant the same."""
    value = json.loads(document) if isinstance(document, str) else document

    def norm(item: Any, key: str | None = None) -> Any:
        if key == "Statement" and isinstance(item, dict):
            item = [item]
        if isinstance(item, dict):
            return {k: norm(v, k) for k, v in sorted(item.items())}
        if key in _SCALAR_KEYS and not isinstance(item, list):
            return item
        items = (norm(i) if isinstance(i, dict | list) else i for i in listed(item))
        return sorted(items, key=lambda i: json.dumps(i, sort_keys=True))

    return norm(value)


_SCALAR_KEYS = frozenset({"Version", "Id", "Sid", "Effect"})  # one value, never a list


def _is_wildcard(value: str) -> bool:
    return "*" in value or "?" in value


def _one_or_many(values: tuple[str, ...]) -> str | list[str]:
    return values[0] if len(values) == 1 else list(values)
