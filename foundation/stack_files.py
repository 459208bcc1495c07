"""Stack files (`stacks/Pulumi.<stack>.yaml`, Pulumi.yaml's `stackConfigDir`) as the engine reads them: the raw
config it hands the program, structured values as JSON text."""

from __future__ import annotations

import json
import os
from pathlib import Path

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[1]
STACKS_DIR = PROJECT_ROOT / "stacks"
# Where a running program finds other stacks' files (a split cluster stack's account stack): STACKS_DIR unless set.
# The offline render sets it to the folder it renders from (`python -m render --stacks`).
STACKS_DIR_VARIABLE = "ROSA_FOUNDATION_STACKS_DIR"


def stacks_dir() -> Path:
    """The folder of the stack files, as the running program sees it (`STACKS_DIR_VARIABLE`, else STACKS_DIR)."""
    return Path(os.environ.get(STACKS_DIR_VARIABLE) or STACKS_DIR)


class StackFileError(Exception):
    """A stack file that cannot be read offline."""


def stack_file(stack: str, stacks_dir: Path = STACKS_DIR) -> Path:
    """The file of `stack` (its last part: `<org>/<project>/<stack>` names the file `Pulumi.<stack>.yaml`)."""
    return stacks_dir / f"Pulumi.{stack.split('/')[-1]}.yaml"


def stack_config(path: Path) -> dict[str, str]:
    """Raw config of a stack file, as the engine hands it to the program (structured values as JSON text)."""
    try:
        document = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as unreadable:
        raise StackFileError(f"{path.name}: not valid YAML ({' '.join(str(unreadable).split())})") from None
    section = document.get("config") if isinstance(document, dict) else None
    if not isinstance(section or {}, dict):
        raise StackFileError(f"{path.name}: expected a mapping with a 'config:' mapping of keys to values")
    config: dict[str, str] = {}
    for key, value in (section or {}).items():
        if isinstance(value, dict) and set(value) == {"secure"}:
            raise StackFileError(f"{path.name}: {key} is encrypted; the offline render reads no secrets")
        config[key] = value if isinstance(value, str) else json.dumps(value)
    return config
