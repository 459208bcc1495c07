"""Shared helpers: build raw Pulumi config the way the engine passes it, and run the program under the mocks."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from render.runtime import PROJECT_ROOT, Render, run_main

ACCOUNT_ID = "123456789012"
CONFIG_ID = "0123456789abcdefghijklmnopqrstuv"
SUBNET_IDS = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]  # a public and a private subnet, one zone
# A private cluster in one private subnet: any topology, and every cluster in GovCloud (rosa makes them private).
PRIVATE_NETWORK = {"subnetIds": SUBNET_IDS[:1], "private": True}
# A managed config outside production OCM in partition aws names its issuer (`rosa list oidc-config` shows it).
NAMED_ISSUER = {"mode": "managed", "configId": CONFIG_ID, "issuerUrl": f"https://oidc.os1.devshift.org/{CONFIG_ID}"}


def config_id(cluster_name: str) -> str:
    """The managed OIDC config `cluster()` gives a cluster: CONFIG_ID for the default `alpha`, else one of its own,
    as real clusters mostly have (clusters on one config share its issuer: `tests/test_oidc_issuers.py`)."""
    return CONFIG_ID if cluster_name == "alpha" else hashlib.sha256(str(cluster_name).encode()).hexdigest()[:32]


def cluster(name: str = "alpha", topology: str = "hcp", **fields: Any) -> dict[str, Any]:
    """A valid cluster entry: HCP in an existing VPC's subnets (rosa needs them), or classic 4.20.8."""
    oidc = {"mode": "managed", "configId": config_id(name)}
    entry: dict[str, Any] = {"name": name, "topology": topology, "oidc": oidc}
    if topology == "classic":
        entry["openshiftVersion"] = "4.20.8"
    else:
        entry["network"] = {"subnetIds": SUBNET_IDS}
    entry.update(fields)
    return entry


def config(**settings: Any) -> dict[str, str]:
    """Raw config for the stack: `accountId` and `aws:region` filled in unless given; None drops a key."""
    values: dict[str, Any] = {"accountId": ACCOUNT_ID, "region": "us-east-1", "clusters": [cluster()]}
    values.update(settings)
    raw = {}
    for key, value in values.items():
        if value is None:
            continue
        full_key = "aws:region" if key == "region" else f"rosa-foundation:{key}"
        raw[full_key] = value if isinstance(value, str) else json.dumps(value)
    return raw


def run(**settings: Any) -> Render:
    return run_main(config(**settings), stack="test")


def inputs_of(render: Render, name: str) -> dict[str, Any]:
    return render.named(name).inputs


def document(render: Render, name: str, key: str) -> dict[str, Any]:
    """An IAM document input of resource `name`, parsed."""
    return json.loads(render.named(name).inputs[key])


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """Red Hat's published ROSA facts, beside the clone as CI lays them out (or $ROSA_REFERENCE_DIR)."""
    path = Path(os.environ.get("ROSA_REFERENCE_DIR", PROJECT_ROOT.parent / "shared" / "reference" / "rosa"))
    if not (path / "catalogue.json").is_file():
        pytest.fail(f"ROSA reference data not found at {path}; set ROSA_REFERENCE_DIR")
    return path


@pytest.fixture(scope="session")
def reference_catalogue(reference_dir: Path) -> dict[str, Any]:
    return json.loads((reference_dir / "catalogue.json").read_text())
