"""`python -m render.graph <stack>`: a Mermaid diagram of build/<stack>/resources.json (run the render first).

It reads only the render's files, so the diagram in the README can be regenerated and checked, never hand-drawn.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from foundation.project import is_component_type
from render.runtime import PROJECT_ROOT

# Resources too numerous to help a reader: folded into a count on their parent's node.
FOLDED_TYPE = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"


def mermaid(resources: list[dict[str, Any]]) -> str:
    """A top-down flowchart: components as nodes, each resource under its parent."""
    ids: dict[str, str] = {}
    folded: dict[str, int] = {}
    shown = []
    for resource in resources:
        if resource["type"] == FOLDED_TYPE:
            folded[resource["parent"]] = folded.get(resource["parent"], 0) + 1
        else:
            shown.append(resource)
            ids.setdefault(resource["name"], f"n{len(ids)}")
    lines = ["flowchart LR"]
    for resource in shown:
        kind = resource["type"].rsplit(":", 1)[-1]
        extra = folded.get(resource["name"])
        attachments = f"<br/>+{extra} policy attachment{'s' if extra > 1 else ''}" if extra else ""
        label = f"{resource['name']}<br/><i>{kind}</i>{attachments}"
        rounded = is_component_type(resource["type"]) or resource["type"].startswith("pulumi:pulumi:")
        shape = ('(["', '"])') if rounded else ('["', '"]')
        lines.append(f"  {ids[resource['name']]}{shape[0]}{_escape(label)}{shape[1]}")
    for resource in shown:
        if resource["parent"] in ids:
            lines.append(f"  {ids[resource['parent']]} --> {ids[resource['name']]}")
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    return re.sub(r'"', "#quot;", text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m render.graph", description=__doc__)
    parser.add_argument("stack")
    parser.add_argument("--build", type=Path, default=PROJECT_ROOT / "build")
    args = parser.parse_args(argv)
    source = args.build / args.stack / "resources.json"
    if not source.is_file():
        print(f"{source} does not exist: run `make render STACK={args.stack}` first", file=sys.stderr)
        return 2
    target = source.with_name("graph.mmd")
    target.write_text(mermaid(json.loads(source.read_text())))
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
