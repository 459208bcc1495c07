"""`python -m render <stack> [--out build]`: the offline render of one stack (see README, "Offline render").

Exit 0: rendered. Exit 2: the stack cannot be rendered as written (no such stack, a stack file that is not valid
YAML, invalid settings, a program that refuses its input); one line per problem on stderr, nothing written."""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from pathlib import Path

import pulumi

from foundation.stack_files import StackFileError, stack_names
from render import artefacts
from render.runtime import PROJECT_ROOT, render_stack, stack_file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m render", description=__doc__)
    parser.add_argument("stack", help="stack name: reads stacks/Pulumi.<stack>.yaml")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "build", help="output root (default: build/)")
    parser.add_argument("--stacks", type=Path, default=PROJECT_ROOT / "stacks", help="stack files (default: stacks/)")
    args = parser.parse_args(argv)
    if not stack_file(args.stack, args.stacks).is_file():
        known = ", ".join(stack_names(args.stacks)) or "none"
        print(
            f"no stack {args.stack!r}: {stack_file(args.stack, args.stacks)} does not exist; stacks there: {known}",
            file=sys.stderr,
        )
        return 2
    started = time.perf_counter()
    try:
        render = render_stack(args.stack, args.stacks)
    # SettingsError is a RunError, as is every refusal the program raises while registering (Pulumi prints a
    # RunError's message without a traceback).
    except (pulumi.RunError, StackFileError) as invalid:
        print(f"stack {args.stack!r}: {invalid}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    target = artefacts.publish(render, args.out, args.stack)
    print(artefacts.summary(render, args.stack, target, seconds))
    return 0


if __name__ == "__main__":
    # A render leaves a million objects, most of them cyclic garbage: in a process that ends right after writing, the
    # collector scanning them and the interpreter tearing them down cost a quarter of the fleet's command
    # (benchmarks/). Nothing is left to flush but the standard streams.
    gc.disable()
    status = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)
