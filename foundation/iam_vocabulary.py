"""The words of IAM policies as AWS defines them, from parliament (the IAM linter of policies/iam_lint.py): the
condition operators AWS documents, and every service's actions (its copy of AWS's Service Authorization Reference).

Loaded on first use: parliament reads a 10 MB database, and only a stack with workload statements needs it.
"""

from __future__ import annotations

import warnings
from functools import cache
from types import ModuleType

SET_QUALIFIERS = ("ForAllValues", "ForAnyValue")


@cache
def parliament() -> ModuleType:
    """The parliament package, imported once."""
    with warnings.catch_warnings():  # parliament 1.6.4 still imports pkg_resources
        warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
        import parliament as module
        import parliament.statement  # its OPERATORS, as module.statement
    return module


@cache
def condition_operators() -> frozenset[str]:
    """Every condition operator IAM takes: each documented one, with `IfExists` (any but Null, as AWS documents it)
    and with a set qualifier (`ForAllValues:`, `ForAnyValue:`)."""
    documented = parliament().statement.OPERATORS
    plain = set(documented) | {f"{op}IfExists" for op in documented if op != "Null"}
    return frozenset(plain | {f"{qualifier}:{op}" for qualifier in SET_QUALIFIERS for op in plain})


def unknown_action(action: str) -> str | None:
    """Why `action` (`service:Action`, `*` and `?` allowed) names no action AWS has; None when it names one or more."""
    module = parliament()
    try:
        module.expand_action(action)
    except module.UnknownPrefixException:
        return f"no AWS service has the action prefix {action.split(':')[0]!r}"
    except module.UnknownActionException:
        return f"the service {action.split(':')[0]!r} has no action matching {action.split(':', 1)[1]!r}"
    return None
