"""Which IAM actions hand over the account when granted on every resource: one judgement, read from a maintained IAM
action database, for the settings rule, the `no-admin-permissions` guardrail and the IAM lint.

The database is parliament's (PyPI `parliament` 1.6.4, `parliament/iam_definition.json`, AWS's Service Authorization
Reference as parliament ships it). An action is admin-equivalent when AWS rates its access level "Permissions
management" (it writes who may do what: `iam:PutRolePolicy`, `iam:AttachRolePolicy`, `iam:UpdateAssumeRolePolicy`,
`iam:CreatePolicyVersion`, `s3:PutBucketPolicy`, `kms:PutKeyPolicy`, ...), when it returns credentials (parliament's
credentials-exposure auditor, `parliament/community_auditors/credentials_exposure.py`: `iam:CreateAccessKey`,
`sts:GetSessionToken`, ...), when it assumes a role (`sts:Assume*`), or when it passes a role to a service that then
acts as that role (`iam:PassRole`, the first step of most of parliament's privilege-escalation paths,
`parliament/community_auditors/privilege_escalation.py`). A pattern (`iam:Put*`, `iam:**`, `s3:*`, `*`) is expanded
against the database, so no spelling of a wildcard slips through.

The same database says which actions exist at all (a pattern must match one), and parliament's table of the
condition operators AWS documents which operators do: the settings refuse workload statements with others.
"""

from __future__ import annotations

import fnmatch
import re
import warnings
from collections.abc import Mapping
from functools import cache
from types import ModuleType
from typing import Any

from foundation.iam import listed

PERMISSIONS_MANAGEMENT = "Permissions management"
# AWS-managed policies that hand over the account (or all of IAM) by name: never attached, never a boundary.
# PowerUserAccess allows every action of every service but IAM's, Organizations' and Account's, on every resource:
# every bucket, key and secret, and `sts:AssumeRole` on any role that trusts the account.
ADMIN_MANAGED_POLICIES = ("AdministratorAccess", "IAMFullAccess", "PowerUserAccess")
SET_QUALIFIERS = ("ForAllValues", "ForAnyValue")
ROLE_HANDOVER = ("sts:Assume*", "iam:PassRole")
# A resource that names every resource of its kind: `*`, or an ARN whose resource part is a bare wildcard, after
# the resource type where the service has one (`arn:aws:s3:::*`, `arn:aws:iam::123456789012:role/*`,
# `arn:aws:kms:*:*:key/*`; not `arn:aws:s3:::bucket/*`, one bucket's objects).
_EVERY_RESOURCE = re.compile(r"\*|arn:[^:]+:s3:::\*|arn:[^:]+:(?!s3:)[^:]+:[^:]*:[^:]*:(?:[A-Za-z0-9-]+[/:])?\*")


@cache
def _parliament() -> ModuleType:
    """parliament, imported when first needed: loading its database is a third of a small stack's render, and most
    stacks' settings hold no statement to judge."""
    with warnings.catch_warnings():  # parliament 1.6.4 still imports pkg_resources
        warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
        import parliament
        import parliament.community_auditors.credentials_exposure
        import parliament.statement
    return parliament


@cache
def admin_equivalent_actions() -> frozenset[str]:
    """Every admin-equivalent action the database knows, as `service:Action` in AWS's spelling."""
    parliament = _parliament()
    exposing = parliament.community_auditors.credentials_exposure.CREDENTIALS_EXPOSURE_ACTIONS
    actions = {
        f"{service['prefix']}:{privilege['privilege']}"
        for service in parliament.iam_definition
        for privilege in service["privileges"]
        if privilege["access_level"] == PERMISSIONS_MANAGEMENT
        or f"{service['prefix']}:{privilege['privilege']}".lower() in exposing
        or any(
            fnmatch.fnmatchcase(f"{service['prefix']}:{privilege['privilege']}".lower(), handover.lower())
            for handover in ROLE_HANDOVER
        )
    }
    return frozenset(actions)


@cache
def admin_equivalent(pattern: str) -> tuple[str, ...]:
    """The admin-equivalent actions an action pattern grants (case-insensitive, as IAM matches), sorted."""
    wanted = "*:*" if pattern == "*" else pattern
    return tuple(sorted(a for a in admin_equivalent_actions() if fnmatch.fnmatchcase(a.lower(), wanted.lower())))


def every_resource(resource: str) -> bool:
    """Whether `resource` names every resource of its kind in its scope (`*`, `arn:...:role/*`)."""
    return bool(_EVERY_RESOURCE.fullmatch(resource))


def admin_grants(statement: Mapping[str, Any]) -> tuple[str, ...]:
    """The admin-equivalent actions an identity-policy statement allows on every resource of their kind (an Allow
    with `NotAction` allows every admin-equivalent action it does not name); () for anything else."""
    if statement.get("Effect") != "Allow":  # a condition narrows who and when, never which resources
        return ()
    resources = listed(statement.get("Resource"))
    if "NotResource" in statement or not any(every_resource(str(r)) for r in resources):
        return ()
    if "NotAction" in statement:
        excluded = {a for pattern in listed(statement["NotAction"]) for a in admin_equivalent(str(pattern))}
        return tuple(sorted(admin_equivalent_actions() - excluded))
    return tuple(sorted({a for pattern in listed(statement.get("Action")) for a in admin_equivalent(str(pattern))}))


def unknown_action(action: str) -> str | None:
    """Why `action` (`service:Action`, `*` and `?` allowed) names no action AWS has; None when it names one or more."""
    service, _, name = action.partition(":")
    parliament = _parliament()
    try:
        parliament.expand_action(action)
    except parliament.UnknownPrefixException:
        return f"no AWS service has the action prefix {service!r}"
    except parliament.UnknownActionException:
        return f"the service {service!r} has no action matching {name!r}"
    return None


@cache
def condition_operators() -> frozenset[str]:
    """Every condition operator IAM takes: each documented one, with `IfExists` (any but Null, as AWS documents it)
    and with a set qualifier (`ForAllValues:`, `ForAnyValue:`)."""
    operators = _parliament().statement.OPERATORS
    plain = set(operators) | {f"{op}IfExists" for op in operators if op != "Null"}
    return frozenset(plain | {f"{qualifier}:{op}" for qualifier in SET_QUALIFIERS for op in plain})
