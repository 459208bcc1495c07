"""`python -m benchmarks.render_benchmark` (or `make benchmark`): the offline render of 1, 10, 100 and 300 clusters
against three floors, in-process and as whole commands, written to benchmarks/results.md and results.json.

Sizes: the fleet stack (stacks/Pulumi.fleet.yaml) cut to its first 1, 10 and 100 clusters; 300 clusters as the split
fleet (an account stack and 300 cluster stacks, `benchmarks/fleet_stack.py --split`), which one stack cannot hold.

Modes, each registering under the same mock runtime:
- program: `__main__.py`, as `make render` runs it.
- floor, same graph: the program's recorded graph replayed without the program: the same resources (the pulumi_aws
  classes, the same inputs), components, parents, provider, options (protect, retainOnDelete, dependsOn) and, for
  every input the engine saw come from other resources, an Output depending on those resources. What the graph
  costs the SDK; the program's own cost is what it takes beyond this.
- floor, flat: the same resources and inputs, no parents, provider, options or dependencies.
- floor, bare: as many `CustomResource`s without inputs: what the mock runtime costs per registration.

In-process: each size in its own process; one warm-up of every mode (imports and pulumi_aws's lazy modules load
once), then interleaved rounds of all modes, the garbage of each collected before the next; the fastest round is the
least disturbed by the machine (the median ratio is reported too). Whole command: what a user waits for, imports,
writing the render and exit included: a fresh process per round, size and mode (`python -m render` for the program;
for a floor, this module loading the recorded graph, registering it and writing its render the same way), fastest of
the rounds; peak memory is the program command's. The split fleet's whole command is sampled: its account stack and
one cluster stack of each kind (HCP; classic; classic on a self-hosted issuer), each rendered as `make render` does
(a cluster stack renders its account stack first, for its outputs); its serial sum is the account stack and every
cluster stack as its kind's sample, its critical path the account stack then the slowest cluster stack, the wall
time of a pipeline applying the cluster stacks side by side. Depth: the longest chain of resources each waiting for
the previous (`Render.critical_path`), the fewest sequential steps of a `pulumi up`.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import pickle
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.fleet_stack import (
    FLEET_FILE,
    SPLIT_ACCOUNT,
    SPLIT_ACCOUNT_ID,
    SPLIT_CLUSTERS,
    SPLIT_SAMPLE,
    cluster,
    split_cluster_stack,
)

PROJECT_ROOT = Path(__file__).resolve().parents[1]
RESULTS_MD = PROJECT_ROOT / "benchmarks" / "results.md"
RESULTS_JSON = PROJECT_ROOT / "benchmarks" / "results.json"
SIZES = (1, 10, 100)  # clusters of the single fleet stack; SPLIT_CLUSTERS in the split layout besides
MODES = ("program", "same-graph", "flat", "bare")
NO_BYTECODE = "not cached (PYTHONDONTWRITEBYTECODE is set: every command compiles the project's modules)"
FLOORS = MODES[1:]


# --- stacks ---------------------------------------------------------------------------------------------------------


def write_fleet(clusters: int, folder: Path) -> str:
    """The fleet stack cut to its first `clusters` clusters, as stack `fleet-<clusters>` in `folder`."""
    import yaml

    document = yaml.safe_load(FLEET_FILE.read_text())
    document["config"]["rosa-foundation:clusters"] = document["config"]["rosa-foundation:clusters"][:clusters]
    stack = f"fleet-{clusters}"
    (folder / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(document, sort_keys=False))
    return stack


def _kind(index: int) -> str:
    entry = cluster(index, account=SPLIT_ACCOUNT_ID)
    return f"{entry['topology']}-{entry['oidc']['mode']}"


# --- floors ---------------------------------------------------------------------------------------------------------


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def _arguments(value: Any) -> Any:
    """Recorded inputs (camelCase, as the engine saw them) as pulumi_aws's Python arguments."""
    if isinstance(value, dict):
        return {_snake(k): _arguments(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_arguments(v) for v in value]
    return value


def _resource_class(type_token: str) -> Any:
    import pulumi_aws
    import pulumi_tls

    package, module, name = type_token.split(":")
    if package == "tls":
        return getattr(pulumi_tls, name)
    return getattr(getattr(pulumi_aws, module.split("/")[0]), name)


def _cloud(render: Any) -> list[Any]:
    return [r for r in render.resources if r.type.split(":")[0] in ("aws", "tls")]


def _components(render: Any) -> list[Any]:
    from foundation.project import is_component_type

    return [r for r in render.resources if is_component_type(r.type)]


def floor(mode: str, render: Any) -> Callable[[], None]:
    """The program registering `render`'s graph in floor `mode`, as a program to run under the mock runtime."""
    import pulumi

    cloud, components = _cloud(render), _components(render)

    def flat() -> None:
        for r in cloud:
            _resource_class(r.type)(r.name, **{_snake(k): _arguments(v) for k, v in r.inputs.items()})
        for r in components:
            pulumi.ComponentResource(r.type, r.name, None, None)

    def bare() -> None:
        for i in range(len(cloud) + len(components)):
            pulumi.CustomResource("rosa-foundation:benchmark:Bare", f"bare-{i}", {})

    def same_graph() -> None:
        by_urn = {r.urn: r for r in render.resources}
        made: dict[str, pulumi.Resource] = {}

        def make(urn: str) -> pulumi.Resource | None:
            """Parents and what a resource waits for first, as the program's order guaranteed."""
            recorded = by_urn.get(urn)
            if recorded is None or recorded.type == "pulumi:pulumi:Stack":
                return None
            if urn in made:
                return made[urn]
            parent = make(recorded.parent_urn) if recorded.parent_urn else None
            waits = [d for d in (make(u) for u in recorded.waits_for) if d is not None]
            options = pulumi.ResourceOptions(
                parent=parent,
                provider=make(recorded.provider_urn) if recorded.provider_urn else None,
                protect=recorded.options["protect"],
                retain_on_delete=recorded.options["retainOnDelete"],
                depends_on=waits,
                aliases=[
                    pulumi.Alias(name=a.get("name") or ..., type_=a.get("type") or ...) for a in recorded.alias_specs
                ],
            )
            if recorded.type == "pulumi:pulumi:StackReference":  # a split cluster stack's read of its account stack
                resource = pulumi.StackReference(recorded.name, recorded.inputs.get("name"), options)
            elif recorded.type.startswith("pulumi:providers:"):
                resource = pulumi.ProviderResource(
                    recorded.type.split(":")[-1], recorded.name, recorded.inputs, options
                )
            elif recorded.type.startswith("rosa-foundation:"):
                resource = pulumi.ComponentResource(recorded.type, recorded.name, None, options)
            else:
                arguments = {}
                for key, value in recorded.inputs.items():
                    sources = [made[u] for u in recorded.dependencies.get(key, ()) if u in made]
                    if sources:  # an Output of the resources the engine saw this input come from
                        value = pulumi.Output.all(*(s.urn for s in sources)).apply(lambda _, v=value: v)
                    arguments[_snake(key)] = _arguments(value)
                resource = _resource_class(recorded.type)(recorded.name, **arguments, opts=options)
            made[urn] = resource
            return resource

        for recorded in render.resources:
            make(recorded.urn)

    return {"same-graph": same_graph, "flat": flat, "bare": bare}[mode]


# --- in-process -----------------------------------------------------------------------------------------------------


def _config(stack: str, folder: Path) -> dict[str, str]:
    from render.runtime import stack_config, stack_file

    return stack_config(stack_file(stack, folder))


def _runs(stacks: list[str], folder: Path) -> tuple[dict[str, Callable[[], Any]], list[Any]]:
    """Each mode's run over `stacks` (rendered in order, a cluster stack with its account stack's outputs), and the
    program's renders."""
    from render.runtime import mock_account, render_stack, run_main, run_program

    renders = [render_stack(stacks[0], folder)]
    referenced = {}
    for stack in stacks[1:]:
        config = _config(stack, folder)
        referenced = {config["rosa-foundation:accountStack"]: renders[0].outputs}
        renders.append(run_main(config, stack=stack, stack_outputs=referenced))

    def program() -> None:
        outputs = run_main(_config(stacks[0], folder), stack=stacks[0]).outputs
        for stack in stacks[1:]:
            config = _config(stack, folder)
            run_main(config, stack=stack, stack_outputs={config["rosa-foundation:accountStack"]: outputs})

    def of(mode: str) -> Callable[[], None]:
        def run() -> None:
            for stack, render in zip(stacks, renders, strict=True):
                config = _config(stack, folder)
                account = mock_account(config, referenced)
                run_program(floor(mode, render), config, stack=stack, account=account)

        return run

    return {"program": program, **{mode: of(mode) for mode in FLOORS}}, renders


def measure_in_process(stacks: list[str], folder: Path, repeat: int) -> dict[str, Any]:
    runs, renders = _runs(stacks, folder)
    for run in (_runs(stacks[:2], folder)[0] if len(stacks) > 2 else runs).values():
        run()  # warm-up (of a split fleet's first two stacks: imports and lazy modules load once)
    seconds: dict[str, list[float]] = {mode: [] for mode in runs}
    for _ in range(repeat):
        for mode, run in runs.items():
            gc.collect()  # each round starts without the previous one's garbage
            started = time.perf_counter()
            run()
            seconds[mode].append(time.perf_counter() - started)
    return {
        "resources": sum(len(r.resources) for r in renders),
        "edges": sum(len(r.waits_for) + bool(r.parent_urn) for render in renders for r in render.resources),
        "stackDepths": {stack: render.depth() for stack, render in zip(stacks, renders, strict=True)},
        "criticalPath": [r.name for r in max((r.critical_path() for r in renders), key=len)],
        "seconds": seconds,
    }


# --- whole command --------------------------------------------------------------------------------------------------


def _timed(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak memory (MB) of one fresh process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {process.stderr.read().decode() if process.stderr else ''}")
    return seconds, usage.ru_maxrss / 1024


def measure_whole(stack: str, folder: Path, repeat: int, graph: Path | None) -> dict[str, Any]:
    """Fastest of `repeat` fresh processes per mode; the floors replay the program's graph saved in `graph`."""
    out = Path(tempfile.mkdtemp(prefix="benchmark-out-"))
    program = [sys.executable, "-m", "render", stack, "--stacks", str(folder), "--out", str(out)]
    commands = {"program": program}
    if graph is not None:
        for mode in FLOORS:
            commands[mode] = [
                sys.executable,
                "-m",
                "benchmarks.render_benchmark",
                "--floor",
                mode,
                str(graph),
                str(out),
            ]
    times: dict[str, list[float]] = {mode: [] for mode in commands}
    peak = 0.0
    for _ in range(repeat):
        for mode, command in commands.items():
            seconds, megabytes = _timed(command)
            times[mode].append(seconds)
            peak = max(peak, megabytes) if mode == "program" else peak
    return {"seconds": {mode: min(values) for mode, values in times.items()}, "peakRssMb": peak}


def floor_command(mode: str, graph: Path, out: Path) -> None:
    """A floor as a whole command: the CLI's imports, the graph registered, its render written, the CLI's exit."""
    from render import artefacts
    from render.runtime import mock_account, run_program, stack_config, stack_file

    stack, folder, render = pickle.loads(graph.read_bytes())
    config = stack_config(stack_file(stack, folder))
    floor_render = run_program(floor(mode, render), config, stack=stack, account=mock_account(config))
    artefacts.publish(floor_render, out, f"{stack}-{mode}")


# --- the report -----------------------------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line), platform.processor())
    import pulumi

    return {
        "cpu": cpu or "unknown",
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "pulumi": getattr(pulumi, "__version__", "see requirements.txt"),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "loadAverageAtStart": round(os.getloadavg()[0], 2),
        "bytecodeCached": not sys.dont_write_bytecode,
    }


def in_process_table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| clusters | stacks | resources | edges | program | per resource | floor, same graph | ratio (median) | "
        "floor, flat | ratio | floor, bare | ratio |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        best = row["inProcess"]
        lines.append(
            f"| {row['clusters']} | {row['stacks']} | {row['resources']:,} | {row['edges']:,} | "
            f"{best['program']:.2f} s | {1000 * best['program'] / row['resources']:.2f} ms | "
            f"{best['same-graph']:.2f} s | {best['program'] / best['same-graph']:.2f}x "
            f"({row['medianRatioSameGraph']:.2f}x) | "
            f"{best['flat']:.2f} s | {best['program'] / best['flat']:.2f}x | "
            f"{best['bare']:.2f} s | {best['program'] / best['bare']:.2f}x |"
        )
    return "\n".join(lines)


def whole_table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| clusters | command | per resource | peak memory | more per resource | floor, same graph | floor, flat | "
        "floor, bare | depth | critical path |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        whole = row["wholeCommand"]
        floors = " | ".join(f"{whole[m]:.2f} s" if m in whole else "—" for m in FLOORS)
        command = f"{whole['program']:.2f} s"
        if "serialSum" in row:
            command = f"{row['criticalPathSeconds']:.2f} s critical path, {row['serialSum']:.0f} s serial sum"
        lines.append(
            f"| {row['clusters']} | {command} | {1000 * whole['program'] / row['commandResources']:.2f} ms | "
            f"{row['peakRssMb']:.0f} MB | {row.get('marginalKb', '—')} | {floors} | "
            f"{row['depth']} | {' → '.join(row['criticalPath'])} |"
        )
    return "\n".join(lines)


def _row(clusters: int, stacks: list[str], folder: Path, repeat: int) -> dict[str, Any]:
    timed = json.loads(_child(["--in-process", *stacks, "--stacks", str(folder), "--repeat", str(repeat)]))
    fastest = {mode: min(values) for mode, values in timed["seconds"].items()}
    median = {mode: statistics.median(values) for mode, values in timed["seconds"].items()}
    return {
        "clusters": clusters,
        "stacks": len(stacks),
        "resources": timed["resources"],
        "edges": timed["edges"],
        "inProcess": fastest,
        "medianRatioSameGraph": median["program"] / median["same-graph"],
        "allInProcessSeconds": timed["seconds"],
        "depth": max(timed["stackDepths"].values()),
        "criticalPath": timed["criticalPath"],
        "stackDepths": timed["stackDepths"],
    }


def _child(arguments: list[str]) -> str:
    command = [sys.executable, "-m", "benchmarks.render_benchmark", *arguments]
    return subprocess.run(command, cwd=PROJECT_ROOT, check=True, capture_output=True, text=True).stdout.splitlines()[-1]


def _graph(stack: str, folder: Path, into: Path) -> Path:
    """The program's render of `stack`, saved for the floors' whole commands, by a process of its own: this one stays
    small, since a child's peak memory counts its parent's, copied when it forks, before the command starts."""
    path = into / f"{stack}.graph"
    _child(["--save-graph", stack, str(folder), str(path)])
    return path


def save_graph(stack: str, folder: Path, path: Path) -> None:
    from render.runtime import render_stack

    path.write_bytes(pickle.dumps((stack, folder, render_stack(stack, folder))))


def single_row(clusters: int, folder: Path, repeat: int) -> dict[str, Any]:
    stack = write_fleet(clusters, folder)
    row = _row(clusters, [stack], folder, repeat)
    whole = measure_whole(stack, folder, repeat, _graph(stack, folder, folder))
    return row | {
        "wholeCommand": whole["seconds"],
        "peakRssMb": whole["peakRssMb"],
        "commandResources": row["resources"],
    }


def split_row(folder: Path, repeat: int) -> dict[str, Any]:
    from benchmarks.fleet_stack import write_split

    write_split(SPLIT_CLUSTERS, folder)
    stacks = [SPLIT_ACCOUNT, *(split_cluster_stack(i) for i in range(SPLIT_CLUSTERS))]
    row = _row(SPLIT_CLUSTERS, stacks, folder, 1)
    account = measure_whole(SPLIT_ACCOUNT, folder, repeat, None)
    kinds = {_kind(i): measure_whole(split_cluster_stack(i), folder, repeat, None) for i in SPLIT_SAMPLE}
    count = {kind: sum(_kind(i) == kind for i in range(SPLIT_CLUSTERS)) for kind in kinds}
    slowest = max(kinds.values(), key=lambda k: k["seconds"]["program"])
    per_stack = row["resources"] / len(stacks)
    return row | {
        "wholeCommand": {"program": slowest["seconds"]["program"]},
        "commandResources": per_stack,  # the slowest sample's command, per an average stack's resources
        "peakRssMb": max(k["peakRssMb"] for k in (account, *kinds.values())),
        "accountStackSeconds": account["seconds"]["program"],
        "clusterStackSeconds": {kind: k["seconds"]["program"] for kind, k in kinds.items()},
        "criticalPathSeconds": account["seconds"]["program"] + slowest["seconds"]["program"],
        "serialSum": account["seconds"]["program"]
        + sum(k["seconds"]["program"] * count[kind] for kind, k in kinds.items()),
    }


def report(rows: list[dict[str, Any]], host: dict[str, Any], repeat: int) -> str:
    split = next((row for row in rows if "serialSum" in row), None)
    text = (
        "# Render benchmark\n\n"
        f"`make benchmark` on {host['date']}: {host['cpu']}, {host['cores']} cores, Python {host['python']}, load "
        f"average {host['loadAverageAtStart']} at the start (other work on the machine inflates the seconds; the "
        "ratios, taken within one run, less so); bytecode "
        f"{'cached' if host['bytecodeCached'] else NO_BYTECODE}. "
        "How each figure is made: `benchmarks/render_benchmark.py`.\n\n"
        f"## In-process\n\nThe render alone, fastest of {repeat} interleaved rounds after a warm-up (the 300-cluster "
        "row: one round over its 301 stacks). Edges: parent links and dependencies.\n\n"
        f"{in_process_table(rows)}\n\n"
        f"## Whole command\n\nWhat a user waits for (`python -m render <stack>`: imports, render, writing, exit), "
        f"fastest of {repeat} fresh processes; each floor as a command of its own that registers the recorded graph "
        "and writes its render. Peak memory: the program command's; more per resource: its growth from the row before, "
        "per resource added. Depth and critical path: the longest chain of waits of a `pulumi up`.\n\n"
        f"{whole_table(rows)}\n"
    )
    if split:
        kinds = ", ".join(f"{kind} {seconds:.2f} s" for kind, seconds in split["clusterStackSeconds"].items())
        text += (
            "\nThe 300-cluster split fleet, command by command: its account stack "
            f"{split['accountStackSeconds']:.2f} s; "
            f"a cluster stack (its account stack rendered first, for its outputs) by kind: {kinds}. Applied as "
            "the deploy workflow does (the account stack, then the cluster stacks side by side), the critical path is "
            f"the account stack and the slowest cluster stack, {split['criticalPathSeconds']:.2f} s; one after the "
            f"other they would take {split['serialSum']:.0f} s.\n"
        )
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.render_benchmark", description=__doc__)
    parser.add_argument("--in-process", nargs="+", metavar="STACK", help=argparse.SUPPRESS)
    parser.add_argument("--stacks", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--floor", nargs=3, metavar=("MODE", "GRAPH", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--save-graph", nargs=3, metavar=("STACK", "FOLDER", "PATH"), help=argparse.SUPPRESS)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES), help="clusters of the single stack")
    parser.add_argument("--no-split", action="store_true", help=f"skip the {SPLIT_CLUSTERS}-cluster split fleet")
    args = parser.parse_args(argv)
    if args.in_process:
        print(json.dumps(measure_in_process(args.in_process, args.stacks, args.repeat)))
        return 0
    if args.save_graph:
        save_graph(args.save_graph[0], Path(args.save_graph[1]), Path(args.save_graph[2]))
        print("saved")
        return 0
    if args.floor:
        gc.disable()  # as the CLI: a short-lived process
        floor_command(args.floor[0], Path(args.floor[1]), Path(args.floor[2]))
        sys.stdout.flush()
        os._exit(0)
    host = machine()
    rows = []
    with tempfile.TemporaryDirectory(prefix="benchmark-stacks-") as folder:
        for clusters in args.sizes:
            rows.append(single_row(clusters, Path(folder), args.repeat))
            print(in_process_table(rows[-1:]).splitlines()[-1], file=sys.stderr)
        if not args.no_split:
            rows.append(split_row(Path(folder), args.repeat))
            print(in_process_table(rows[-1:]).splitlines()[-1], file=sys.stderr)
    singles = [row for row in rows if "serialSum" not in row]
    for before, row in itertools.pairwise(singles):
        more = (row["peakRssMb"] - before["peakRssMb"]) / (row["resources"] - before["resources"])
        row["marginalKb"] = f"{1024 * more:.0f} KB"
    RESULTS_JSON.write_text(json.dumps({"machine": host, "repeat": args.repeat, "rows": rows}, indent=2) + "\n")
    RESULTS_MD.write_text(report(rows, host, args.repeat))
    print(f"wrote {RESULTS_MD} and {RESULTS_JSON}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
