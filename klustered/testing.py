"""Test a Pulumi program that uses the components, offline: the engine behind `klustered plan`.

Everything here runs with no cloud account and no Pulumi CLI, under Pulumi's mock engine:
pulumi-tls and pulumi-random resources get real throwaway values derived from their names
(keys `ssh-keygen` and `openssl` accept), every other resource's outputs are its inputs,
and every registration is recorded with its inputs, parent, options and dependencies.

    from klustered.testing import plan_project, run_offline

    def test_my_program() -> None:
        run = run_offline(my_program, {"myproject:teams": [{"name": "blue"}]},
                          project="myproject")
        assert run.by_type("klustered:cluster:Cluster")

    def test_my_project_plans() -> None:
        plan = plan_project("path/to/project", "dev")   # its Pulumi.yaml and stack file
        assert "blue/blue-control-plane-1/wg0.conf" in plan.files

Each call runs in a thread of its own with a fresh event loop and fresh SDK state, so
tests do not leak into one another and can run in any order. `plan_project` changes the
working directory to the project's while its program runs (as Pulumi does) and restores
it afterwards.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from klustered.offline import (
    OfflineMocks,
    RecordingMonitor,
    Registration,
    fake_outputs,
    is_secret,
    mask_secrets,
    secret_paths,
    unwrap_secrets,
)
from klustered.plan import (
    PLAN_MARKER,
    RENDERED_FILES,
    OfflineRun,
    Plan,
    PlanError,
    engine_config,
    graph_json,
    resources_json,
    run_offline,
    write_plan,
)
from klustered.plan import plan_project as _plan_project
from klustered.project import ProjectError, PulumiProject, load_project
from klustered.stackfile import StackFile, StackFileError, load_stack_file

__all__ = [
    "PLAN_MARKER",
    "RENDERED_FILES",
    "OfflineMocks",
    "OfflineRun",
    "Plan",
    "PlanError",
    "ProjectError",
    "PulumiProject",
    "RecordingMonitor",
    "Registration",
    "StackFile",
    "StackFileError",
    "engine_config",
    "fake_outputs",
    "graph_json",
    "is_secret",
    "load_project",
    "load_stack_file",
    "mask_secrets",
    "plaintext",
    "plan_project",
    "resources_json",
    "run_offline",
    "secret_paths",
    "unwrap_secrets",
    "write_plan",
]


def plan_project(project: PulumiProject | Path | str, stack: str) -> Plan:
    """Plan stack `stack` (a name, or a stack file's path) of a Pulumi Python project.

    The same run as `klustered plan STACK --project DIR`: the project's program under the
    mock engine with the stack file's config in the project's namespace. Secure values in
    the stack file reach the program as the text "[secret]".
    """
    found = project if isinstance(project, PulumiProject) else load_project(project)
    return _plan_project(found, load_stack_file(stack, within=found))


def plaintext(run: OfflineRun, text: str) -> list[str]:
    """Where `text` appears in a resource's inputs outside a secret: `<urn> <input path>`.

    An empty list means the value only ever travelled as a secret (or not at all):
    `assert not plaintext(run, private_key)`.
    """
    found: list[str] = []
    for reg in run.registrations:
        for path in _plain_paths(reg.raw_inputs, text, ""):
            found.append(f"{reg.urn} {path}")
    return found


def _plain_paths(value: Any, text: str, path: str) -> list[str]:
    if is_secret(value):
        return []
    if isinstance(value, str):
        return [path or "."] if text in value else []
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _plain_paths(item, text, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _plain_paths(item, text, f"{path}[{i}]")
    return found
