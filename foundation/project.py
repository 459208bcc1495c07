"""This project's own name, and the type tokens of its components (Pulumi's `<package>:<module>:<Type>`)."""

from __future__ import annotations

PROJECT = "rosa-foundation"


def type_token(module: str, component: str) -> str:
    """`type_token("iam", "AccountRoles")` -> `rosa-foundation:iam:AccountRoles`."""
    return f"{PROJECT}:{module}:{component}"


def is_component_type(type_token_: str) -> bool:
    """Whether a registered type is one of this project's components (not a cloud resource)."""
    return type_token_.startswith(f"{PROJECT}:")


CLUSTER_FOUNDATION = type_token("cluster", "ClusterFoundation")

REGION_KEY = "aws:region"


def config_key(name: str) -> str:
    """A setting's key as written in the stack file: `rosa-foundation:<name>`, or `aws:region` for the region."""
    return REGION_KEY if name == "region" else f"{PROJECT}:{name}"


def shown(value: object, limit: int = 100) -> str:
    """`value` as a message quotes it: text in quotes, true, false and null as YAML writes them, anything else as
    Python shows it; cut to about `limit` characters with its size, so a 1,200-character external id is named by its
    start and length, not echoed whole."""
    if isinstance(value, bool) or value is None:
        return "null" if value is None else str(value).lower()
    text = repr(value)
    if len(text) <= limit:
        return text
    size = f"{len(text)} characters written out"
    if isinstance(value, str):
        size = f"{len(value)} characters"
    elif isinstance(value, list | tuple | dict):
        size = f"{len(value)} entries"
    return f"{text[: limit - 20]}... ({size})"
