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
