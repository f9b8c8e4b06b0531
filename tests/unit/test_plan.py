"""The offline plan: resources.json and graph.json come from the mock engine's record."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pytest
from conftest import REPO, Runner
from pulumi_command import local

from klustered.plan import Plan, graph_json, resources_json, write_plan
from klustered.stackfile import load_stack_file


def test_plan_command_writes_the_record_of_the_real_program(
    tmp_path: Path, run_episode: Callable[..., Any], example_stack: dict[str, Any]
) -> None:
    out = tmp_path / "plan"
    done = subprocess.run(
        [sys.executable, "-m", "klustered", "plan", "episode-42", "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    resources = json.loads((out / "resources.json").read_text())
    graph = json.loads((out / "graph.json").read_text())

    record = run_episode(example_stack, stack="episode-42").registrations
    assert sorted(r["urn"] for r in resources) == sorted(r.urn for r in record)
    assert sorted(n["urn"] for n in graph["nodes"]) == sorted(r.urn for r in record)
    by_urn = {r.urn: r for r in record}
    for entry in resources:
        reg = by_urn[entry["urn"]]
        assert (entry["type"], entry["name"], entry["parent"], entry["custom"]) == (
            reg.type,
            reg.name,
            reg.parent,
            reg.custom,
        )
    assert set(resources[0]) == {"urn", "type", "name", "parent", "custom", "inputs"}
    assert "blue" in done.stdout and "green" in done.stdout


def test_graph_edges_point_from_a_resource_to_what_it_waits_for(offline: Runner) -> None:
    def program() -> None:
        first = local.Command("first", create="true")
        local.Command("second", create="true", opts=pulumi.ResourceOptions(depends_on=[first]))
        local.Command("third", create=first.stdout)

    run = offline(program)
    urn = {r.name: r.urn for r in run.registrations}
    edges = {(e["from"], e["to"]) for e in graph_json(run)["edges"]}
    assert edges == {(urn["second"], urn["first"]), (urn["third"], urn["first"])}


def test_secret_values_are_shown_as_placeholders(offline: Runner) -> None:
    def program() -> None:
        local.Command("c", create="cat", stdin=pulumi.Output.secret("hunter2"))

    text = json.dumps(resources_json(offline(program)))
    assert "hunter2" not in text
    [entry] = resources_json(offline(program))
    assert entry["inputs"]["stdin"] == "[secret]"
    assert entry["inputs"]["create"] == "cat"


def test_rendered_files_land_under_team_and_node(offline: Runner, tmp_path: Path) -> None:
    run = offline(lambda: None)
    stack = load_stack_file("episode-42", cwd=REPO)
    plan = Plan(stack, run, {"blue/blue-worker-1/10-os.sh": "#!/bin/sh\n", "blue/x.conf": "x"})
    write_plan(plan, tmp_path)
    script = tmp_path / "blue" / "blue-worker-1" / "10-os.sh"
    assert script.read_text() == "#!/bin/sh\n"
    assert script.stat().st_mode & 0o111


def test_a_rendered_file_may_not_escape_the_plan_directory(offline: Runner, tmp_path: Path) -> None:
    stack = load_stack_file("episode-42", cwd=REPO)
    plan = Plan(stack, offline(lambda: None), {"../evil": "x"})
    with pytest.raises(ValueError, match="escape"):
        write_plan(plan, tmp_path / "out")
    assert not (tmp_path / "evil").exists()
