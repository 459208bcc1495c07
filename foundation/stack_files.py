"""Stack files (`stacks/Pulumi.<stack>.yaml`, Pulumi.yaml's `stackConfigDir`) as the engine reads them: the raw
config it hands the program, structured values as JSON text.

Read strictly, as YAML 1.2 (ruamel.yaml, whose core schema has no `yes`/`on` booleans, octal `0..` or sexagesimal
`1:30`). A top-level value is handed over as the text written, as the Pulumi CLI does (its `config.Value` reads a
scalar into a string). A structured value becomes JSON of what YAML read: dates stay the text written (as the CLI's
YAML library gives them), numbers keep their type, so a field that wants text refuses them and says to quote. Refused
here, each naming the file and line: what is not YAML, a key written twice in one mapping (YAML readers keep one of
them silently), a file or `config` that is not a mapping, a number written with a leading zero (YAML 1.1 readers
take it as octal, YAML 1.2 as decimal), and values JSON cannot hold.
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML, MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from foundation.project import shown

PROJECT_ROOT = Path(__file__).resolve().parents[1]
STACKS_DIR = PROJECT_ROOT / "stacks"
# Where a running program finds other stacks' files (a split cluster stack's account stack): STACKS_DIR unless set.
# The offline render sets it to the folder it renders from (`python -m render --stacks`).
STACKS_DIR_VARIABLE = "ROSA_FOUNDATION_STACKS_DIR"


def stacks_dir() -> Path:
    """The folder of the stack files, as the running program sees it (`STACKS_DIR_VARIABLE`, else STACKS_DIR)."""
    return Path(os.environ.get(STACKS_DIR_VARIABLE) or STACKS_DIR)


_YAML = YAML(typ="safe", pure=True)  # YAML 1.2, ruamel's own parser (no C extension needed)
_CORE = "tag:yaml.org,2002:"
_JSON_TAGS = {f"{_CORE}{kind}" for kind in ("str", "int", "float", "bool", "null")}
_TIMESTAMP, _NULL = f"{_CORE}timestamp", f"{_CORE}null"
_LEADING_ZERO = re.compile(r"[-+]?0[0-9_]")


class StackFileError(Exception):
    """A stack file that cannot be read offline."""


def stack_file(stack: str, stacks_dir: Path = STACKS_DIR) -> Path:
    """The file of `stack` (its last part: `<org>/<project>/<stack>` names the file `Pulumi.<stack>.yaml`)."""
    return stacks_dir / f"Pulumi.{stack.split('/')[-1]}.yaml"


def stack_names(stacks_dir: Path = STACKS_DIR) -> list[str]:
    """The stacks that have a file in `stacks_dir`, sorted."""
    return sorted(p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in stacks_dir.glob("Pulumi.*.yaml"))


def stack_config(path: Path) -> dict[str, str]:
    """Raw config of a stack file, as the engine hands it to the program (structured values as JSON text)."""
    reader = _Reader(path.name)
    try:
        root = _YAML.compose(path.read_text(encoding="utf-8"))
    except MarkedYAMLError as invalid:
        raise StackFileError(f"{reader.at(invalid.problem_mark)}: not valid YAML: {invalid.problem}") from None
    except (YAMLError, UnicodeDecodeError) as invalid:
        raise StackFileError(f"{path.name}: not valid YAML: {str(invalid).splitlines()[0]}") from None
    if root is None:
        return {}
    section = reader.entries(root, "the stack file").get("config")
    if section is None or section.tag == _NULL:
        return {}
    config: dict[str, str] = {}
    for key, node in reader.entries(section, "config").items():
        if isinstance(node, ScalarNode):
            config[key] = "" if node.tag == _NULL else node.value  # the text written, as the engine hands it over
            continue
        value = reader.value(node, key)
        if isinstance(value, dict) and set(value) == {"secure"}:
            raise StackFileError(f"{path.name}: {key} is encrypted; the offline render reads no secrets")
        config[key] = json.dumps(value)
    return config


class _Reader:
    """Turns the nodes of one stack file into plain values, refusing what YAML readers disagree on."""

    def __init__(self, file_name: str):
        self.file_name = file_name

    def at(self, mark: Any) -> str:
        return f"{self.file_name}:{mark.line + 1}:{mark.column + 1}" if mark else self.file_name

    def entries(self, node: Node, where: str) -> dict[str, Node]:
        """A mapping's keys (text) and value nodes; a key written twice is refused."""
        if not isinstance(node, MappingNode):
            kind = "a list" if isinstance(node, SequenceNode) else f"the value {node.value!r}"
            raise StackFileError(f"{self.at(node.start_mark)}: {where} must be a mapping of keys to values, not {kind}")
        entries: dict[str, Node] = {}
        lines: dict[str, int] = {}
        for key_node, value in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag not in _JSON_TAGS:
                raise StackFileError(f"{self.at(key_node.start_mark)}: {where}: a key must be plain text")
            key = key_node.value
            if key in entries:
                raise StackFileError(
                    f"{self.at(key_node.start_mark)}: {where}: key {key!r} is written twice (first on line "
                    f"{lines[key]}); YAML would keep only one of them: remove the other"
                )
            entries[key], lines[key] = value, key_node.start_mark.line + 1
        return entries

    def value(self, node: Node, where: str) -> Any:
        """The plain value of `node`, found at `where` (a key as written, e.g. rosa-foundation:clusters[0].name)."""
        if isinstance(node, MappingNode):
            return {key: self.value(child, f"{where}.{key}") for key, child in self.entries(node, where).items()}
        if isinstance(node, SequenceNode):
            return [self.value(child, f"{where}[{i}]") for i, child in enumerate(node.value)]
        here = f"{self.at(node.start_mark)}: {where} = {node.value}"
        if node.tag == _TIMESTAMP:
            return node.value  # a date stays the text written, as the engine's YAML library gives it
        if node.tag not in _JSON_TAGS:
            raise StackFileError(
                f"{self.at(node.start_mark)}: {where} = {shown(node.value)}: YAML type {node.tag!r} is not read here; "
                "quote the value for text"
            )
        if node.tag == f"{_CORE}int" and _LEADING_ZERO.match(node.value):
            raise StackFileError(
                f"{here}: a number with a leading zero, which YAML readers disagree on (octal or decimal); "
                "write it without the zero, or quote it for text"
            )
        value = _YAML.constructor.construct_object(node)
        if isinstance(value, float) and not math.isfinite(value):
            raise StackFileError(f"{here}: not a finite number; quote the value for text")
        return value
