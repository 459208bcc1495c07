"""Reading the stack settings from Pulumi config: raw text to models, then the rules across fields; every problem
becomes one line of `SettingsError` naming the key as written in `stacks/Pulumi.<stack>.yaml`, its value and what
is allowed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, get_args

import pulumi
from pydantic import BaseModel, ValidationError

from foundation.project import PROJECT, REGION_KEY, config_key, shown
from foundation.settings.models import ManagedOidc, SelfHostedOidc, StackSettings
from foundation.settings.rosa_rules import account_stack_problems
from foundation.settings.rules import cross_field_problems
from foundation.settings.shared_vpc_rules import account_boundary_problems, owner_stack_problems
from foundation.stack_files import STACKS_DIR, StackFileError, stack_config, stack_file, stacks_dir

# Config namespaces this program reads: its own, its providers' and Pulumi's. Any other is a typo, never ignored.
KNOWN_NAMESPACES = frozenset({PROJECT, "aws", "tls", "pulumi"})


class SettingsError(pulumi.RunError):
    """Invalid stack settings. Pulumi prints a RunError's message without a traceback."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(
            f"Invalid stack settings ({len(problems)} {noun}); nothing was registered:\n"
            + "\n".join(f"  - {p}" for p in problems)
        )


_STRUCTURED = {"tags", "clusters", "accountRoleTopologies", "backup", "encryption", "ciIdentity", "quotas", "ocmRole",
               "userRoles", "sharedVpc", "adopt",
                  "workloadRoles", "permissionsBoundaryOverrides", "extraPolicyArns"}  # fmt: skip
# Top-level true/false settings arrive as text; Pulumi's own `Config.get_bool` reads these four spellings only.
_BOOLEAN_KEYS = {f.alias for f in StackSettings.model_fields.values() if f.annotation is bool}
_BOOLEANS = {"true": True, "True": True, "false": False, "False": False}


def settings_from_config(config: Mapping[str, str]) -> StackSettings:
    """Build settings from raw Pulumi config (`{'rosa-foundation:accountId': '...', 'aws:region': '...'}`).

    Structured values arrive as JSON text, as the Pulumi engine passes them. Keys of this project that the
    model does not know are refused, so a typo never silently falls back to a default. Values are judged strictly:
    a number where text is wanted (`openshiftVersion: 4.20`, which YAML reads as 4.2) or `true` where a number is
    wanted is refused, never converted.
    """
    raw: dict[str, Any] = {}
    problems: list[str] = []
    for full_key, text in config.items():
        namespace, _, key = full_key.partition(":")
        if namespace not in KNOWN_NAMESPACES:
            problems.append(
                f"{full_key}: unknown config namespace {namespace!r} (a typo?); this stack reads "
                f"{', '.join(sorted(n + ':*' for n in KNOWN_NAMESPACES))}"
            )
        elif full_key == REGION_KEY:
            raw["region"] = text
        elif namespace == PROJECT:
            if key in _STRUCTURED:
                try:
                    raw[key] = json.loads(text)
                except json.JSONDecodeError:
                    problems.append(f"{full_key} = {shown(text)}: expected a YAML list or mapping, got text")
                    continue
            elif key in _BOOLEAN_KEYS:
                if text not in _BOOLEANS:
                    problems.append(f"{full_key} = {shown(text)}: must be true or false")
                    continue
                raw[key] = _BOOLEANS[text]
            else:
                raw[key] = text
    if "region" not in raw:
        problems.append(f"{REGION_KEY} is missing: the stack needs its AWS region")
    if problems:
        raise SettingsError(problems)
    try:
        # JSON mode, so that lists become tuples while nothing else is converted.
        settings = StackSettings.model_validate_json(json.dumps(raw), strict=True)
    except ValidationError as invalid:
        raise SettingsError([_describe(error) for error in _first_causes(invalid.errors())]) from None
    if problems := cross_field_problems(settings):
        raise SettingsError(problems)
    return settings


def load_settings() -> StackSettings:
    """The stack's settings from the running Pulumi program's config; a cluster stack of the split layout is checked
    against its account stack's settings (its file beside this stack's) before anything is registered."""
    # The SDK offers no public way to list every key (pulumi.Config reads one namespace, key by key); CONFIG is the
    # engine's raw key -> text map (tests/test_sdk_adapter.py fails by name if an SDK upgrade removes it).
    from pulumi.runtime.config import CONFIG

    settings = settings_from_config(dict(CONFIG.get()))
    if settings.layout == "cluster" and settings.account_stack:
        check_account_stack(settings, pulumi.get_stack(), stacks_dir())
    if settings.adopt:
        check_adopted_elsewhere(settings, pulumi.get_stack(), stacks_dir())
    return settings


_SHOWN_CLAIMS = 10


def check_adopted_elsewhere(settings: StackSettings, stack: str, stacks_dir: Path = STACKS_DIR) -> None:
    """Raise SettingsError where stack `stack` would import a role, policy or OIDC provider that another stack file in
    `stacks_dir` of the same account declares: both would manage it, and either's destroy would delete it from under
    the other (without adopt, the second create stops at EntityAlreadyExists). A file that does not load is its own
    render's problem and is passed over."""
    from foundation.adoption import declared_names, imported_names  # adoption imports these settings' models
    from foundation.names import StackNames

    imported = imported_names(StackNames(settings))
    problems = []
    for path in sorted(stacks_dir.glob("Pulumi.*.yaml")):
        other = path.name.removeprefix("Pulumi.").removesuffix(".yaml")
        if other == stack:
            continue
        try:
            theirs = settings_from_config(stack_config(path))
        except (SettingsError, StackFileError):
            continue
        if theirs.account_id != settings.account_id:
            continue
        for claim in sorted(set(imported) & declared_names(StackNames(theirs))):
            problems.append(
                f"{config_key('adopt')}: {claim} ({imported[claim]}) is also declared by stack {other!r} "
                f"({path.name}) in account {settings.account_id}; adopt it in one stack only, or the two would "
                "manage one resource and either's destroy would delete it"
            )
    if len(problems) > _SHOWN_CLAIMS:
        problems[_SHOWN_CLAIMS:] = [f"{config_key('adopt')}: and {len(problems) - _SHOWN_CLAIMS} more like these"]
    if problems:
        raise SettingsError(problems)


def check_account_stack(settings: StackSettings, stack: str, stacks_dir: Path = STACKS_DIR) -> None:
    """Raise SettingsError where cluster stack `stack` cannot work with the account stack it names: the account
    stack's file must be in `stacks_dir`, valid, and agree with it (`rosa_rules.account_stack_problems`)."""
    here = f"{config_key('accountStack')} = {shown(settings.account_stack)}"
    name = str(settings.account_stack).split("/")[-1]
    path = stack_file(name, stacks_dir)
    if name == stack:
        raise SettingsError([f"{here}: names this stack itself; name the account stack its clusters share"])
    if not path.is_file():
        raise SettingsError([f"{here}: no stack file {path.name} in {stacks_dir.name}/ to check it against"])
    try:
        account = settings_from_config(stack_config(path))
    except SettingsError as invalid:
        count = len(invalid.problems)
        raise SettingsError(
            [f"{here}: the account stack's settings are invalid ({count} problem{'s' * (count > 1)}); fix {path.name}"]
        ) from None
    except StackFileError as unreadable:
        raise SettingsError([f"{here}: {unreadable}"]) from None
    if problems := [*account_stack_problems(settings, account), *account_boundary_problems(settings, account)]:
        raise SettingsError(problems)


def load_vpc_owners(settings: StackSettings, folder: Path | None = None) -> dict[str, StackSettings]:
    """The settings of each VPC owner stack the clusters name (`network.sharedVpc.ownerStack`), by reference as
    written, read from its file beside this stack's (`folder`, default the program's stacks folder); raises
    SettingsError where one is missing, invalid, or disagrees with this stack (`shared_vpc_rules`)."""
    folder = folder or stacks_dir()
    owners: dict[str, StackSettings] = {}
    problems: list[str] = []
    for i, cluster in enumerate(settings.clusters):
        shared = cluster.network.shared_vpc if cluster.network else None
        if shared is None or shared.owner_stack in owners:
            continue
        here = f"{config_key('clusters')}[{i}].network.sharedVpc.ownerStack = {shown(shared.owner_stack)}"
        path = stack_file(shared.owner_stack.split("/")[-1], folder)
        if not path.is_file():
            problems.append(
                f"{here}: no stack file {path.name} in {folder.name}/ to read the VPC owner's settings from"
            )
            continue
        try:
            owners[shared.owner_stack] = settings_from_config(stack_config(path))
        except SettingsError as invalid:
            count = len(invalid.problems)
            problems.append(
                f"{here}: the owner stack's settings are invalid ({count} problem{'s' * (count > 1)}); fix {path.name}"
            )
        except StackFileError as unreadable:
            problems.append(f"{here}: {unreadable}")
    problems += owner_stack_problems(settings, owners)
    if problems:
        raise SettingsError(problems)
    return owners


def _first_causes(errors: list[Any]) -> list[Any]:
    """`errors` without a list's "at least 1 item" where its items were refused: pydantic counts what is left after
    item validation, so a list of one bad action was reported twice."""
    failed_items = {tuple(e["loc"][:-1]) for e in errors if e["loc"] and isinstance(e["loc"][-1], int)}
    return [e for e in errors if not (e["type"] == "too_short" and tuple(e["loc"]) in failed_items)]


def _describe(error: Mapping[str, Any]) -> str:
    where, kind, value = _config_path(error["loc"]), error["type"], error.get("input")
    if kind == "extra_forbidden":
        return f"{where}: unknown key (a typo?); {_allowed_keys(error['loc'])}"
    if kind == "missing":
        return f"{where} is missing: it is required"
    if kind == "union_tag_invalid":
        return f"{where} = {shown(value)}: mode must be 'managed' or 'self-hosted'"
    if kind == "too_short" and isinstance(value, list | tuple):
        return f"{where} = {shown(value)}: must list at least {error['ctx']['min_length']}"
    if kind == "union_tag_not_found":
        return f"{where}.mode is missing: 'managed' or 'self-hosted'"
    if kind in _SHAPES:
        message = f"expected {_SHAPES[kind]}, but YAML read {_read_as(value)}"
        if kind == "string_type" and isinstance(value, int | float):
            message += "; quote it"
            if isinstance(value, float):
                message += ": YAML reads an unquoted 4.20 as the number 4.2"
        return f"{where} = {shown(value)}: {message}"
    message = error["msg"].removeprefix("Value error, ").replace("Input should be", "must be")
    if kind == "value_error":
        message = f"must be {message}"
    return f"{where} = {shown(value)}: {message}"


# The shapes pydantic checks, as a stack file spells them.
_SHAPES = {
    "string_type": "text",
    "int_type": "a whole number",
    "bool_type": "true or false",
    "tuple_type": "a list",
    "list_type": "a list",
    "model_type": "a mapping of keys to values",
    "dict_type": "a mapping of keys to values",
}


def _read_as(value: Any) -> str:
    """What YAML made of a value, for a message: `true or false`, `a number`, ..."""
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    kinds = {type(None): "an empty value", list: "a list", dict: "a mapping", str: "text"}
    return kinds.get(type(value), type(value).__name__)


def _config_path(loc: tuple[Any, ...]) -> str:
    """('clusters', 0, 'oidc', 'managed', 'configId') -> 'rosa-foundation:clusters[0].oidc.configId'."""
    parts = [p for p in loc if p not in ("managed", "self-hosted", "[key]")]
    text = config_key(str(parts[0]))
    for part in parts[1:]:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _allowed_keys(loc: tuple[Any, ...]) -> str:
    """The keys a model accepts where pydantic found an unknown one, found by walking `loc` through the models."""
    model: type[BaseModel] = StackSettings
    for part in loc[:-1]:
        if part in ("managed", "self-hosted"):
            model = ManagedOidc if part == "managed" else SelfHostedOidc
        elif isinstance(part, str):
            field = next((f for n, f in model.model_fields.items() if (f.alias or n) == part), None)
            model = _model_in(field.annotation) or model if field else model
    keys = sorted(f.alias or n for n, f in model.model_fields.items() if n != "region")
    return "allowed: " + ", ".join(keys)


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The settings model inside an annotation such as `tuple[ClusterSettings, ...]` or `BackupSettings | None`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next((m for arg in get_args(annotation) if (m := _model_in(arg))), None)
