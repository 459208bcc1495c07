"""Stack files (`stacks/Pulumi.<stack>.yaml`, Pulumi.yaml's `stackConfigDir`) as the engine reads them: the raw
config it hands the program, structured values as JSON text."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[1]
STACKS_DIR = PROJECT_ROOT / "stacks"


class StackFileError(Exception):
    """A stack file that cannot be read offline."""


def stack_file(stack: str, stacks_dir: Path = STACKS_DIR) -> Path:
    """The file of `stack` (its last part: `<org>/<project>/<stack>` names the file `Pulumi.<stack>.yaml`)."""
    return stacks_dir / f"Pulumi.{stack.split('/')[-1]}.yaml"


def stack_config(path: Path) -> dict[str, str]:
    """Raw config of a stack file, as the engine hands it to the program (structured values as JSON text)."""
    document = yaml.safe_load(path.read_text()) or {}
    config: dict[str, str] = {}
    for key, value in (document.get("config") or {}).items():
        if isinstance(value, dict) and set(value) == {"secure"}:
            raise StackFileError(f"{path.name}: {key} is encrypted; the offline render reads no secrets")
        config[key] = value if isinstance(value, str) else json.dumps(value)
    return config
