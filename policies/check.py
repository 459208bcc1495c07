"""`python -m policies.check <stack>`: the guardrails over a stack's render (build/<stack>/resources.json), offline.

Prints every finding with its rule, resource and fix, and the accepted ones with their reason; exits 1 if a
mandatory finding is not accepted, 2 if the render or the policy config is missing or invalid. The stack's policy
config, `policies/config/<stack>.json`, is the file `pulumi preview --policy-pack-config` reads too.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from policies.graph import Finding, Graph, Resource
from policies.runner import RULES, evaluate, unknown_config_keys

PROJECT_ROOT = Path(__file__).resolve().parents[1]
CONFIG_DIR = PROJECT_ROOT / "policies" / "config"


def graph_from_render(render_dir: Path) -> Graph:
    return graph_from_resources(json.loads((render_dir / "resources.json").read_text()))


def graph_from_resources(resources: list[dict[str, Any]]) -> Graph:
    """The rules' view of `resources.json` entries."""
    return Graph(
        Resource(
            type=r["type"],
            name=r["name"],
            urn=r["urn"],
            inputs=r["inputs"],
            protect=r["options"]["protect"],
            dependencies={k: tuple(v) for k, v in r.get("dependencies", {}).items()},
            provider=r["options"].get("provider"),  # absent in renders made before providers were recorded
        )
        for r in resources
    )


def load_config(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    config = json.loads(path.read_text())
    problems = [f"{key}: names no rule" for key in unknown_config_keys(config)]
    for rule, settings in config.items():
        for exception in (settings or {}).get("exceptions", []) if isinstance(settings, dict) else []:
            if len(exception.get("reason", "")) < 10:
                problems.append(f"{rule}: exception for {exception.get('resource')!r} needs a reason")
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems))
    return config


def report(findings: list[Finding]) -> tuple[str, bool]:
    blocking = [f for f in findings if f.level == "mandatory" and not f.accepted_because]
    advisory = [f for f in findings if f.level == "advisory" and not f.accepted_because]
    accepted = [f for f in findings if f.accepted_because]
    lines = [str(f) for f in (*blocking, *advisory, *accepted)]
    lines.append(
        f"{len(RULES)} rules: {len(blocking)} mandatory findings, {len(advisory)} advisory, {len(accepted)} accepted"
    )
    return "\n".join(lines), bool(blocking)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m policies.check", description=__doc__)
    parser.add_argument("stacks", nargs="+", metavar="stack", help="one or more (`make check-all`: every stack)")
    parser.add_argument("--build", type=Path, default=PROJECT_ROOT / "build", help="render root (default: build/)")
    parser.add_argument("--config", type=Path, help="policy config (default: policies/config/<stack>.json)")
    args = parser.parse_args(argv)
    return max(_check(stack, args.build, args.config) for stack in args.stacks)


def _check(stack: str, build: Path, config_file: Path | None) -> int:
    render_dir = build / stack
    if not (render_dir / "resources.json").is_file():
        print(f"no render at {render_dir}: run `make render STACK={stack}` first", file=sys.stderr)
        return 2
    try:
        config = load_config(config_file or CONFIG_DIR / f"{stack}.json")
    except ValueError as invalid:
        print(invalid, file=sys.stderr)
        return 2
    text, blocked = report(evaluate(graph_from_render(render_dir), config))
    print(f"guardrails for stack {stack!r}:\n{text}")
    return 1 if blocked else 0


if __name__ == "__main__":
    sys.exit(main())
