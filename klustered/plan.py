"""The offline plan: run a program under the mock engine and write what it would create.

`run_offline` runs any program function in a fresh context and event loop with
`OfflineMocks` and a `RecordingMonitor`; `plan_stack` runs the real program with a stack
file's config and writes the documented layout (DESIGN.md, "Offline plan").
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import pulumi
from pulumi.runtime.settings import SETTINGS
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from klustered.offline import (
    Invoke,
    OfflineMocks,
    RecordingMonitor,
    Registration,
    mask_secrets,
)
from klustered.stackfile import StackFile


@dataclass
class OfflineRun:
    """What one offline run registered, and the value its program returned (resolved)."""

    registrations: list[Registration]
    value: Any
    invokes: list[Invoke] = field(default_factory=list)
    """Every invoke the program made, in order, with what the mocks answered."""

    def by_type(self, typ: str) -> list[Registration]:
        """Registrations of one type token."""
        return [r for r in self.registrations if r.type == typ]

    def named(self, name: str) -> Registration:
        """The one registration with this logical name."""
        found = [r for r in self.registrations if r.name == name]
        if len(found) != 1:
            raise KeyError(f"{len(found)} resources named {name!r}")
        return found[0]

    def children_of(self, urn: str) -> list[Registration]:
        """Registrations whose parent is `urn`."""
        return [r for r in self.registrations if r.parent == urn]

    def descendants_of(self, urn: str) -> list[Registration]:
        """Every registration below `urn` in the parent tree."""
        out: list[Registration] = []
        frontier = [urn]
        while frontier:
            kids = [r for r in self.registrations if r.parent in frontier]
            out += kids
            frontier = [k.urn for k in kids]
        return out


def run_offline(
    program: Callable[[], Any],
    config: dict[str, str] | None = None,
    secret_keys: list[str] | None = None,
    *,
    project: str = "klustered",
    stack: str = "offline",
    monitor: RecordingMonitor | None = None,
) -> OfflineRun:
    """Run `program` under the mock engine in isolation and return what it registered.

    `program` may return an Input (an Output, a dict of Outputs, ...): the run waits for it
    and returns its resolved value. Exceptions raised by the program propagate; pass your
    own `monitor` to see what was registered before one was raised.
    """
    monitor = monitor or RecordingMonitor(OfflineMocks())
    mocks = monitor.mocks

    def body() -> Any:
        # A thread of its own: a fresh event loop and empty context variables, so runs
        # never share SDK state and the caller's event loop is left as it was.
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            pulumi.runtime.set_mocks(
                mocks, project=project, stack=stack, preview=False, monitor=monitor
            )
            # Outputs still pending from a run that failed must not be awaited by this one.
            SETTINGS.outputs = set()
            pulumi.runtime.set_all_config(dict(config or {}), list(secret_keys or []))
            holder: dict[str, Any] = {}

            def run() -> None:
                result = program()
                holder["value"] = _sync_await(pulumi.Output.from_input(result).future())

            _sync_await(run_pulumi_func(run))
            return holder.get("value")
        finally:
            asyncio.set_event_loop(None)
            loop.close()

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="klustered-offline") as pool:
        value = pool.submit(body).result()
    return OfflineRun(monitor.registrations, value, monitor.invokes)


@dataclass
class Plan:
    """The offline plan of a stack: registrations and every rendered node file."""

    stack: StackFile
    run: OfflineRun
    files: dict[str, str]


def plan_stack(stack: StackFile) -> Plan:
    """Run the real program (the code `pulumi up` runs) offline with a stack file's config."""
    from klustered.program import main

    def program() -> Any:
        episode = main(base_dir=stack.project_dir)
        return pulumi.Output.all(**episode.rendered_files) if episode.rendered_files else {}

    project = "klustered"
    run = run_offline(
        program, stack.pulumi_config(), stack.secret_keys, project=project, stack=stack.name
    )
    return Plan(stack, run, dict(run.value or {}))


def resources_json(run: OfflineRun) -> list[dict[str, Any]]:
    """resources.json: every registered resource, secret values shown as "[secret]"."""
    ordered = sorted(run.registrations, key=lambda r: r.urn)
    return [
        {
            "urn": r.urn,
            "type": r.type,
            "name": r.name,
            "parent": r.parent,
            "custom": r.custom,
            "inputs": mask_secrets(r.raw_inputs),
        }
        for r in ordered
    ]


def graph_json(run: OfflineRun) -> dict[str, Any]:
    """graph.json: nodes, and an edge from each resource to each resource it waits for."""
    known = {r.urn for r in run.registrations}
    edges = []
    for r in sorted(run.registrations, key=lambda r: r.urn):
        waits = set(r.dependencies)
        for deps in r.property_dependencies.values():
            waits.update(deps)
        edges += [
            {"from": r.urn, "to": dep} for dep in sorted(waits) if dep in known and dep != r.urn
        ]
    return {
        "nodes": [
            {"urn": r.urn, "type": r.type, "name": r.name}
            for r in sorted(run.registrations, key=lambda r: r.urn)
        ],
        "edges": edges,
    }


def write_plan(plan: Plan, out: Path) -> list[Path]:
    """Write resources.json, graph.json and DIR/<team>/<node>/<file>; return what was written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in (
        ("resources.json", resources_json(plan.run)),
        ("graph.json", graph_json(plan.run)),
    ):
        path = out / name
        path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="ascii")
        written.append(path)
    for rel, content in sorted(plan.files.items()):
        rel_path = PurePosixPath(rel)
        if rel_path.is_absolute() or ".." in rel_path.parts:
            raise ValueError(f"rendered file {rel!r} would escape the plan directory")
        path = out.joinpath(*rel_path.parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        if rel_path.suffix == ".sh":
            path.chmod(0o755)
        written.append(path)
    return written
