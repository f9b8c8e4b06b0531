"""The offline plan: run a program under the mock engine and write what it would create.

`run_offline` runs any program function in a fresh context and event loop with
`OfflineMocks` and a `RecordingMonitor`; `plan_stack` runs the Klustered program with a
stack file's config, `plan_project` runs another project's program the way Pulumi runs it,
and `write_plan` writes the documented layout (docs/offline-plan.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import runpy
import secrets
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
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
    offline_runtime,
)
from klustered.project import PulumiProject
from klustered.stackfile import StackFile

PLAN_MARKER = ".klustered-plan"
"""The file that marks a directory as a plan `write_plan` may replace."""
RENDERED_FILES = "rendered_files"
"""The name a project's program binds to `{path: text}` to get node files in its plan."""


class PlanError(ValueError):
    """A plan that cannot be made or written (one-line reason)."""


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


def engine_config(config: Mapping[str, Any]) -> dict[str, str]:
    """Config as the engine hands it to a program: strings as they are, anything else JSON."""
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}


def run_offline(
    program: Callable[[], Any],
    config: Mapping[str, Any] | None = None,
    secret_keys: list[str] | None = None,
    *,
    project: str = "klustered",
    stack: str = "offline",
    monitor: RecordingMonitor | None = None,
    logger: logging.Logger | None = None,
) -> OfflineRun:
    """Run `program` under the mock engine in isolation and return what it registered.

    `config` maps full keys (`<project>:teams`) to values: strings as the engine passes
    them, anything else is sent as JSON. `program` may return an Input (an Output, a dict
    of Outputs, ...): the run waits for it and returns its resolved value. Exceptions
    raised by the program propagate; pass your own `monitor` to see what was registered
    before one was raised. What the program logs (`pulumi.log.warn`, ...) goes to `logger`
    (default: the root logger).
    """
    monitor = monitor or RecordingMonitor(OfflineMocks())
    engine = engine_config(config or {})
    mocks = monitor.mocks

    def body() -> Any:
        # A thread of its own: a fresh event loop and empty context variables, so runs
        # never share SDK state and the caller's event loop is left as it was.
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            pulumi.runtime.set_mocks(
                mocks, project=project, stack=stack, preview=False, monitor=monitor, logger=logger
            )
            # Outputs still pending from a run that failed must not be awaited by this one.
            SETTINGS.outputs = set()
            pulumi.runtime.set_all_config(engine, list(secret_keys or []))
            holder: dict[str, Any] = {}

            def run() -> None:
                result = program()
                holder["value"] = _sync_await(pulumi.Output.from_input(result).future())

            _sync_await(run_pulumi_func(run))
            return holder.get("value")
        finally:
            asyncio.set_event_loop(None)
            loop.close()

    with (
        offline_runtime(),
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="klustered-offline") as pool,
    ):
        value = pool.submit(body).result()
    return OfflineRun(monitor.registrations, value, monitor.invokes)


@dataclass
class Plan:
    """The offline plan of a stack: registrations and every rendered node file."""

    stack: StackFile
    run: OfflineRun
    files: dict[str, str]


def plan_stack(stack: StackFile, logger: logging.Logger | None = None) -> Plan:
    """Run the Klustered program (the code `pulumi up` runs) offline with a stack file's config."""
    from klustered.program import main

    def program() -> Any:
        episode = main(base_dir=stack.project_dir, namespace=stack.namespace)
        return pulumi.Output.all(**episode.rendered_files) if episode.rendered_files else {}

    run = _run_stack(program, stack, stack.namespace, logger)
    return Plan(stack, run, _files(run.value, "the program"))


def plan_project(
    project: PulumiProject, stack: StackFile, logger: logging.Logger | None = None
) -> Plan:
    """Run another Pulumi Python project's program offline, the way Pulumi runs it.

    The program file (`main:` in Pulumi.yaml, default `__main__.py`) runs as `__main__` in
    the project's working directory, with its directory first on `sys.path` and the stack
    file's config under the project's name. Node files come from the module-level
    `rendered_files` the program binds (`{path: str | Output[str]}`), if it binds one.
    """
    if project.runtime != "python":
        raise PlanError(f"{project.directory}: runtime {project.runtime!r} is not python")
    program_file = project.program_file
    if not program_file.is_file():
        raise PlanError(f"{project.directory}: no program ({program_file} does not exist)")

    def program() -> Any:
        module = runpy.run_path(str(program_file), run_name="__main__")
        files = module.get(RENDERED_FILES)
        if files is None:
            return {}
        if not isinstance(files, Mapping) or not all(isinstance(k, str) for k in files):
            raise PlanError(f"{program_file}: {RENDERED_FILES} must map file paths to text")
        return pulumi.Output.all(**files) if files else {}

    with _project_context(project):
        run = _run_stack(program, stack, project.name, logger)
    return Plan(stack, run, _files(run.value, str(program_file)))


def _run_stack(
    program: Callable[[], Any], stack: StackFile, project: str, logger: logging.Logger | None
) -> OfflineRun:
    """`program` offline as stack `stack.name` of `project`, with the stack file's config."""
    return run_offline(
        program,
        stack.pulumi_config(),
        stack.secret_keys,
        project=project,
        stack=stack.name,
        logger=logger,
    )


@contextlib.contextmanager
def _project_context(project: PulumiProject) -> Iterator[None]:
    """The program's working directory and import path while it runs. Modules it could
    import only through that path (its own helpers) are forgotten afterwards, so two
    projects with a module of the same name do not mix; installed packages stay."""
    before = set(sys.modules)
    cwd = Path.cwd()
    entry = str(project.program_file.parent)
    sys.path.insert(0, entry)
    os.chdir(project.working_dir)
    try:
        yield
    finally:
        os.chdir(cwd)
        with contextlib.suppress(ValueError):
            sys.path.remove(entry)
        new = set(sys.modules) - before
        own = {name.partition(".")[0] for name in new}
        own = {top for top in own if top not in before and not _importable(top)}
        for name in new:
            if name.partition(".")[0] in own:
                del sys.modules[name]


def _importable(top: str) -> bool:
    """True when a top-level module is found without the program's directory on the path."""
    for finder in sys.meta_path:
        find_spec = getattr(finder, "find_spec", None)
        if find_spec is not None and find_spec(top, None) is not None:
            return True
    return False


def _files(value: Any, where: str) -> dict[str, str]:
    """The resolved node files of a run: every path mapped to text."""
    files = dict(value or {})
    for path, text in files.items():
        if not isinstance(text, str):
            raise PlanError(f"{where}: rendered file {path!r} is {type(text).__name__}, not text")
    return files


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
    """Write the plan to `out`; return what was written.

    `out` must be new, empty, or a previous plan (it holds PLAN_MARKER): a previous plan is
    replaced whole, so nothing of it (a team since removed) survives. Anything else is
    refused with PlanError, before a file is written.
    """
    out = out.resolve()
    files = _checked_paths(plan.files)
    if out.exists() and not out.is_dir():
        raise PlanError(f"{out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not (out / PLAN_MARKER).is_file():
        raise PlanError(
            f"{out} is not empty and not a previous plan (no {PLAN_MARKER}): "
            "give a new or empty directory"
        )
    existing = next(p for p in out.parents if p.exists())
    if not existing.is_dir():
        raise PlanError(f"cannot write {out}: {existing} is not a directory")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PlanError(f"cannot create {out}: {exc.strerror}") from None
    # A sibling of `out` (same file system: renames are atomic), made with the usual mode.
    staging = out.parent / f".{out.name}.{os.getpid()}.{secrets.token_hex(4)}"
    staging.mkdir()
    try:
        written = _write_into(plan, files, staging)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            out.rename(old / "plan")
            staging.rename(out)
            shutil.rmtree(old)
        else:
            staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [out / p.relative_to(staging) for p in written]


def _checked_paths(files: Mapping[str, str]) -> dict[PurePosixPath, str]:
    """Every rendered file's relative path; none may escape the plan or clash with its files."""
    checked: dict[PurePosixPath, str] = {}
    for rel, content in sorted(files.items()):
        rel_path = PurePosixPath(rel)
        if rel_path.is_absolute() or ".." in rel_path.parts or not rel_path.parts:
            raise PlanError(f"rendered file {rel!r} would escape the plan directory")
        if rel_path.parts[0] in ("resources.json", "graph.json", PLAN_MARKER):
            raise PlanError(f"rendered file {rel!r} would replace the plan's own {rel_path}")
        checked[rel_path] = content
    return checked


def _write_into(plan: Plan, files: Mapping[PurePosixPath, str], directory: Path) -> list[Path]:
    written = []
    for name, data in (
        ("resources.json", resources_json(plan.run)),
        ("graph.json", graph_json(plan.run)),
    ):
        path = directory / name
        path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="ascii")
        written.append(path)
    for rel_path, content in files.items():
        path = directory.joinpath(*rel_path.parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        if rel_path.suffix == ".sh":
            path.chmod(0o755)
        written.append(path)
    marker = {"stack": plan.stack.name, "project": plan.stack.namespace}
    (directory / PLAN_MARKER).write_text(json.dumps(marker, sort_keys=True) + "\n")
    return written
