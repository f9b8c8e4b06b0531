"""How `klustered plan` scales with the number of teams: wall time and peak memory.

Generates stack files of N teams (3 control planes + 2 workers each, the mesh on, GCP
machines), runs `klustered plan FILE --out DIR --quiet` in a fresh process for each, and
prints one row per size: resources, wall time (median, min, max of the repeats), the
added time per team against the smallest size, and the peak resident memory.

    python bench/plan_scale.py                     # 1, 5, 10 and 20 teams, 5 runs each
    python bench/plan_scale.py --teams 1,10 --repeat 9

Every run is one a user makes after the first: the bytecode cache is written by an untimed
warm-up run first (the child runs without PYTHONDONTWRITEBYTECODE, which some CI images set
and which would make every run compile the project's sources again).

The machine is shared: read the spread, not one number. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

TEAM_SHAPE = {"controlPlanes": 3, "workers": 2}
MESH_BLOCK = 32
"""Mesh addresses per team (docs/configuration.md, "Mesh addresses")."""


def mesh_cidr(teams: int) -> str:
    """The smallest 10.254.0.0/N holding every team's block of 32 addresses."""
    prefix = 32
    while 2 ** (32 - prefix) < teams * MESH_BLOCK:
        prefix -= 1
    return f"10.254.0.0/{prefix}"


def stack_config(teams: int) -> dict[str, object]:
    """A stack of `teams` teams of 3 control planes + 2 workers on GCP with the mesh on."""
    return {
        "config": {
            "klustered:kubernetes": {"version": "1.34"},
            "klustered:machines": {"provider": "gcp", "gcp": {"project": "klustered-bench"}},
            "klustered:mesh": {"enabled": True, "cidr": mesh_cidr(teams)},
            "klustered:teams": [{"name": f"team-{i + 1}", **TEAM_SHAPE} for i in range(teams)],
        }
    }


@dataclass
class Sample:
    seconds: float
    cpu_seconds: float
    peak_rss_mb: float


CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
"""The environment of every run: this one's, bytecode caching on."""


def run_plan(klustered: list[str], stack: Path, out: Path) -> Sample:
    """One `klustered plan` in a fresh process: wall time and the child's peak RSS."""
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    proc = subprocess.Popen(
        [*klustered, "plan", str(stack), "--out", str(out), "--quiet"],
        cwd=stack.parent,  # not the repository: the installed klustered (or PYTHONPATH) runs
        env=CHILD_ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"klustered plan {stack.name} failed ({proc.returncode}):\n{stderr}")
    # Linux reports ru_maxrss in KiB.
    return Sample(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def count_resources(out: Path) -> int:
    """How many resources the plan in `out` registered."""
    return len(json.loads((out / "resources.json").read_text()))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its table (markdown)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--teams", default="1,5,10,20", help="comma-separated team counts")
    parser.add_argument("--repeat", type=int, default=5, help="runs per size")
    parser.add_argument(
        "--klustered",
        default=f"{sys.executable} -m klustered",
        help="the command that runs klustered (default: this Python's -m klustered)",
    )
    args = parser.parse_args(argv)
    sizes = [int(n) for n in args.teams.split(",")]
    klustered = args.klustered.split()

    rows = []
    with tempfile.TemporaryDirectory(prefix=f"plan-scale-{os.getpid()}-") as tmp:
        work = Path(tmp)
        warm_up = work / "Pulumi.warm-up.yaml"
        warm_up.write_text(yaml.safe_dump(stack_config(1), sort_keys=False))
        run_plan(klustered, warm_up, work / "plan-warm-up")
        for teams in sizes:
            stack = work / f"Pulumi.bench-{teams}.yaml"
            stack.write_text(yaml.safe_dump(stack_config(teams), sort_keys=False))
            out = work / f"plan-{teams}"
            samples = [run_plan(klustered, stack, out) for _ in range(args.repeat)]
            times = [s.seconds for s in samples]
            rows.append(
                {
                    "teams": teams,
                    "resources": count_resources(out),
                    "median": statistics.median(times),
                    "min": min(times),
                    "max": max(times),
                    "cpu": statistics.median(s.cpu_seconds for s in samples),
                    "rss": max(s.peak_rss_mb for s in samples),
                }
            )

    base = rows[0]
    print(f"klustered plan, {args.repeat} run(s) per size, teams of 3 control planes + 2 workers")
    print()
    print(
        "| teams | resources | wall median (s) | min-max (s) | s per added team "
        "| CPU median (s) | peak RSS (MB) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        added = row["teams"] - base["teams"]
        per_team = f"{(row['median'] - base['median']) / added:.3f}" if added else "-"
        print(
            f"| {row['teams']} | {row['resources']} | {row['median']:.2f} "
            f"| {row['min']:.2f}-{row['max']:.2f} | {per_team} | {row['cpu']:.2f} "
            f"| {row['rss']:.0f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
