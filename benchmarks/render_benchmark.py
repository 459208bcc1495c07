"""`python -m benchmarks.render_benchmark` (or `make benchmark`): the offline render of the fleet stack's first 1, 10
and 100 clusters, against two floors, written to benchmarks/results.md and results.json.

Each size is timed in its own process: one warm-up render of each mode (imports and pulumi_aws's lazy modules load
once per process, as in a CLI run), then interleaved rounds of all modes; wall time is the fastest round, the least
disturbed by the machine (the median ratio is reported too). Peak memory comes from a separate process that renders
the program once.

- program: `__main__.py` under the mock runtime, as `make render` runs it.
- floor, same resources: every cloud resource the program registered, with the same types (the pulumi_aws classes)
  and the same inputs, registered flat, plus one empty component per component: the resources without the program
  around them (no settings, components' logic, Output plumbing or dependencies).
- floor, bare: as many `CustomResource`s without inputs: what the mock runtime itself costs per registration.
- depth: the longest chain of cloud resources each waiting on the previous (the lower bound of `pulumi up`'s wall
  time, however parallel the engine).
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
RESULTS_MD = PROJECT_ROOT / "benchmarks" / "results.md"
RESULTS_JSON = PROJECT_ROOT / "benchmarks" / "results.json"
SIZES = (1, 10, 100)


def fleet_config(clusters: int) -> dict[str, str]:
    from render.runtime import stack_config, stack_file

    config = stack_config(stack_file("fleet"))
    config["rosa-foundation:clusters"] = json.dumps(json.loads(config["rosa-foundation:clusters"])[:clusters])
    return config


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


def measure_one(clusters: int, repeat: int) -> dict[str, Any]:
    """Runs in the measuring process: warm every mode up once, then `repeat` interleaved rounds of all modes, so
    that the machine's noise falls on program and floors alike; the minimum is the least disturbed run."""
    import pulumi

    from render.runtime import mock_account, run_main, run_program

    config = fleet_config(clusters)
    program_render = run_main(config, stack="fleet")
    cloud = [r for r in program_render.resources if r.type.split(":")[0] in ("aws", "tls")]
    components = [r for r in program_render.resources if r.type.startswith("rosa-foundation:")]

    def same_resources() -> None:
        for r in cloud:
            _resource_class(r.type)(r.name, **{_snake(k): _arguments(v) for k, v in r.inputs.items()})
        for r in components:
            pulumi.ComponentResource(r.type, r.name, None, None)

    def bare() -> None:
        for i in range(len(cloud) + len(components)):
            pulumi.CustomResource("rosa-foundation:benchmark:Bare", f"bare-{i}", {})

    runs = {
        "program": lambda: run_main(config, stack="fleet"),
        "same-resources": lambda: run_program(same_resources, config, stack="fleet", account=mock_account(config)),
        "bare": lambda: run_program(bare, config, stack="fleet", account=mock_account(config)),
    }
    for run in runs.values():
        run()  # warm-up
    seconds: dict[str, list[float]] = {mode: [] for mode in runs}
    for _ in range(repeat):
        for mode, run in runs.items():
            started = time.perf_counter()
            run()
            seconds[mode].append(time.perf_counter() - started)
    return {
        "clusters": clusters,
        "resources": len(program_render.resources),
        "depth": program_render.depth(),
        "seconds": seconds,
    }


def peak_one(clusters: int) -> dict[str, Any]:
    """Runs in its own process: one render of the program, and that process's peak memory."""
    from render.runtime import run_main

    run_main(fleet_config(clusters), stack="fleet")
    return {"peakRssMb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def measure(flag: str, clusters: int, repeat: int) -> dict[str, Any]:
    """One measurement in a fresh process."""
    command = [sys.executable, "-m", "benchmarks.render_benchmark", flag, str(clusters), "--repeat", str(repeat)]
    out = subprocess.run(command, cwd=PROJECT_ROOT, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor() or "unknown",
    )
    import pulumi

    return {
        "cpu": cpu,
        "cores": len([line for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("processor")]),
        "python": platform.python_version(),
        "pulumi": pulumi.__version__ if hasattr(pulumi, "__version__") else "see requirements.txt",
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| clusters | resources | wall | per resource | peak memory | floor, same resources | ratio (median) | "
        "floor, bare | ratio | depth |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['clusters']} | {row['resources']} | {row['seconds']:.2f} s | {row['msPerResource']:.2f} ms | "
            f"{row['peakRssMb']:.0f} MB | {row['sameResourcesSeconds']:.2f} s | {row['ratioSameResources']:.2f}x "
            f"({row['medianRatioSameResources']:.2f}x) | {row['bareSeconds']:.2f} s | {row['ratioBare']:.2f}x | "
            f"{row['depth']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.render_benchmark", description=__doc__)
    parser.add_argument("--times", type=int, metavar="CLUSTERS", help=argparse.SUPPRESS)
    parser.add_argument("--peak", type=int, metavar="CLUSTERS", help=argparse.SUPPRESS)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    args = parser.parse_args(argv)
    sys.path.insert(0, str(PROJECT_ROOT))
    if args.times:
        print(json.dumps(measure_one(args.times, args.repeat)))
        return 0
    if args.peak:
        print(json.dumps(peak_one(args.peak)))
        return 0
    rows = []
    for clusters in args.sizes:
        timed, peak = measure("--times", clusters, args.repeat), measure("--peak", clusters, 1)
        fastest = {mode: min(values) for mode, values in timed["seconds"].items()}
        median = {mode: statistics.median(values) for mode, values in timed["seconds"].items()}
        rows.append(
            {
                "clusters": clusters,
                "resources": timed["resources"],
                "seconds": fastest["program"],
                "msPerResource": 1000 * fastest["program"] / timed["resources"],
                "peakRssMb": peak["peakRssMb"],
                "sameResourcesSeconds": fastest["same-resources"],
                "ratioSameResources": fastest["program"] / fastest["same-resources"],
                "medianRatioSameResources": median["program"] / median["same-resources"],
                "bareSeconds": fastest["bare"],
                "ratioBare": fastest["program"] / fastest["bare"],
                "depth": timed["depth"],
                "allSeconds": timed["seconds"],
            }
        )
        print(table(rows[-1:]).splitlines()[-1], file=sys.stderr)
    host = machine()
    RESULTS_JSON.write_text(json.dumps({"machine": host, "repeat": args.repeat, "rows": rows}, indent=2) + "\n")
    RESULTS_MD.write_text(
        "# Render benchmark\n\n"
        f"`make benchmark` on {host['date']}: {host['cpu']}, {host['cores']} cores, Python {host['python']}; "
        f"fastest of {args.repeat} interleaved rounds (program, then each floor, so noise falls on all alike; the "
        "median ratio in brackets), in a fresh process per size after one warm-up render of each; peak memory from a "
        "separate process rendering the program once. The stack "
        "is `stacks/Pulumi.fleet.yaml` cut to its first N clusters (mixed HCP and classic, security groups, a "
        "shared backup vault, the CI identity). How the floors are made: `benchmarks/render_benchmark.py`.\n\n"
        f"{table(rows)}\n"
    )
    print(f"wrote {RESULTS_MD} and {RESULTS_JSON}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
