"""Shared helpers: build raw Pulumi config the way the engine passes it, run the program under the mocks, and render
each example stack once per test run."""

from __future__ import annotations

import functools
import json
import os
import pickle
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock

from render.runtime import PROJECT_ROOT, Render, render_stack, run_main

ACCOUNT_ID = "123456789012"
CONFIG_ID = "0123456789abcdefghijklmnopqrstuv"
SUBNET_IDS = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]  # a public and a private subnet, one zone


def cluster(name: str = "alpha", topology: str = "hcp", **fields: Any) -> dict[str, Any]:
    """A valid cluster entry: HCP in an existing VPC's subnets (rosa needs them), or classic 4.20.8."""
    entry: dict[str, Any] = {"name": name, "topology": topology, "oidc": {"mode": "managed", "configId": CONFIG_ID}}
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


_SHARED_RENDERS: list[Path] = []  # where this test run keeps each example's render, for every worker to load


@pytest.fixture(scope="session", autouse=True)
def _shared_renders(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The run's own folder: pytest-xdist's workers share their base temp's parent, a single process its base temp
    (whose parent holds earlier runs, whose renders must not be read)."""
    base = tmp_path_factory.getbasetemp()
    _SHARED_RENDERS[:] = [(base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "renders"]


@functools.cache
def example(stack: str) -> Render:
    """Example stack `stack` (stacks/Pulumi.<stack>.yaml) rendered once per test run and shared, read-only, by every
    test and worker: the first worker to ask renders it, under a lock the others wait on, and leaves it on disk."""
    if not _SHARED_RENDERS:  # outside a test session
        return render_stack(stack)
    folder = _SHARED_RENDERS[0]
    folder.mkdir(exist_ok=True)
    path = folder / f"{stack}.pickle"
    with FileLock(f"{path}.lock"):
        if path.is_file():
            return pickle.loads(path.read_bytes())
        render = render_stack(stack)
        path.write_bytes(pickle.dumps(render))
        return render
