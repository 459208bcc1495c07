"""Shared helpers: build raw Pulumi config the way the engine passes it, run the program under the mocks, and render
each example stack once per test run."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from filelock import FileLock

from foundation.issuer_key import public_key_pem
from render.runtime import PROJECT_ROOT, Render, render_stack, run_main

ACCOUNT_ID = "123456789012"
CONFIG_ID = "0123456789abcdefghijklmnopqrstuv"
SUBNET_IDS = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]  # a public and a private subnet, one zone
# A private cluster in one private subnet: any topology, and every cluster in GovCloud (rosa makes them private).
PRIVATE_NETWORK = {"subnetIds": SUBNET_IDS[:1], "private": True}
# A managed config outside production OCM in partition aws names its issuer (`rosa list oidc-config` shows it).
NAMED_ISSUER = {"mode": "managed", "configId": CONFIG_ID, "issuerUrl": f"https://oidc.os1.devshift.org/{CONFIG_ID}"}
# A test issuer's key pair (never deployed): `config()` gives its public half to every self-hosted issuer that names
# none, as `python -m tools.issuer_key` would have printed it, with a secret ARN of that issuer.
# The role `config()` names as every vault's administrator, in the stack's account.
VAULT_ADMINISTRATOR = f"arn:aws:iam::{ACCOUNT_ID}:role/admin/VaultAdministrator"
ISSUER_SIGNING_KEY = Path(__file__).parent / "data" / "issuer_signing_key.pem"
ISSUER_PUBLIC_KEY = public_key_pem(serialization.load_pem_private_key(ISSUER_SIGNING_KEY.read_bytes(), password=None))


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
    """Raw config for the stack: `accountId` and `aws:region` filled in unless given, a self-hosted issuer's key
    (`ISSUER_PUBLIC_KEY`, its secret's ARN) unless the issuer names one, and a vault's administrator
    (`VAULT_ADMINISTRATOR` of the account) unless the backup block names one; None drops a key (there too;
    `backup.objectLock: None` stays, turning object lock off)."""
    values: dict[str, Any] = {"accountId": ACCOUNT_ID, "region": "us-east-1", "clusters": [cluster()]}
    values.update(settings)
    if isinstance(values.get("backup"), dict):
        administrator = VAULT_ADMINISTRATOR.replace(ACCOUNT_ID, str(values["accountId"]))
        backup = {"administratorArn": administrator} | values["backup"]
        values["backup"] = {k: v for k, v in backup.items() if k != "administratorArn" or v is not None}
    if isinstance(values.get("clusters"), list):
        values["clusters"] = [_with_issuer_key(entry, values) for entry in values["clusters"]]
    raw = {}
    for key, value in values.items():
        if value is None:
            continue
        full_key = "aws:region" if key == "region" else f"rosa-foundation:{key}"
        raw[full_key] = value if isinstance(value, str) else json.dumps(value)
    return raw


def _with_issuer_key(entry: Any, values: dict[str, Any]) -> Any:
    oidc = entry.get("oidc") if isinstance(entry, dict) else None
    if not isinstance(oidc, dict) or oidc.get("mode") != "self-hosted":
        return entry
    bucket = oidc.get("bucketName") or f"{entry.get('name')}-oidc-{values['accountId']}"
    secret = f"arn:aws:secretsmanager:{values['region']}:{values['accountId']}:secret:rosa-private-key-{bucket}-AbC123"
    filled = {"publicKey": ISSUER_PUBLIC_KEY, "privateKeySecretArn": secret} | oidc
    return {**entry, "oidc": {key: value for key, value in filled.items() if value is not None}}


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
