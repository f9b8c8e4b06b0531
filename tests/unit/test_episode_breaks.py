"""Breaks in the episode under the mock engine: where they hang, secrets, order, removal."""

from __future__ import annotations

import base64
import copy
import re
from collections.abc import Callable
from typing import Any

import pytest

from klustered.offline import Registration
from klustered.plan import OfflineRun

RunEpisode = Callable[..., OfflineRun]
BREAK = "klustered:breaks:Break"
COMMAND = "command:remote:Command"

STACK: dict[str, Any] = {
    "klustered:machines": {"provider": "gcp", "gcp": {"project": "test-project"}},
    "klustered:mesh": {"enabled": True},
    "klustered:teams": [
        {
            "name": "blue",
            "controlPlanes": 1,
            "workers": 2,
            "breaks": [
                {"id": "kubelet-maxpods", "targets": "workers", "params": {"maxPods": 2}},
                {"id": "service-selector-typo"},
            ],
        },
        {"name": "green", "controlPlanes": 1, "workers": 1},
    ],
}


@pytest.fixture(scope="module")
def run() -> OfflineRun:
    from conftest import run_stack

    return run_stack(STACK, stack="breaks")


def _under(run: OfflineRun, reg: Registration) -> list[Registration]:
    return run.descendants_of(reg.urn)


def test_breaks_hang_under_their_team_cluster_only(run: OfflineRun) -> None:
    [blue_cluster] = [c for c in run.by_type("klustered:cluster:Cluster") if "blue" in c.name]
    breaks = run.by_type(BREAK)
    assert sorted(b.name for b in breaks) == [
        "episode-blue-break-kubelet-maxpods",
        "episode-blue-break-service-selector-typo",
    ]
    for brk in breaks:
        assert brk.parent == blue_cluster.urn
        commands = [r for r in _under(run, brk) if r.type == COMMAND]
        assert commands
        green_urns = {r.urn for r in run.registrations if r.name.startswith("episode-green")}
        for command in commands:
            assert not set(command.dependencies) & green_urns, command.name


def test_break_scripts_go_on_secret_stdin_with_logging_off(run: OfflineRun) -> None:
    for brk in run.by_type(BREAK):
        for command in (r for r in _under(run, brk) if r.type == COMMAND):
            assert "stdin" in command.secret_inputs, command.name
            assert command.inputs["logging"] == "none", command.name
            assert {"stdout", "stderr"} <= set(command.options["additionalSecretOutputs"])
            assert "KLUSTERED_BREAK_ID" not in command.inputs["create"]


def test_the_break_runs_on_its_targets_after_verify_and_the_workload(run: OfflineRun) -> None:
    [brk] = [b for b in run.by_type(BREAK) if b.name.endswith("kubelet-maxpods")]
    names = {r.name: r for r in _under(run, brk) if r.type == COMMAND}
    prefix = "episode-blue-break-kubelet-maxpods"
    assert sorted(names) == [
        f"{prefix}-10-verify-before",
        f"{prefix}-59-stage-solve-blue-worker-1",
        f"{prefix}-59-stage-solve-blue-worker-2",
        f"{prefix}-60-break-blue-worker-1",
        f"{prefix}-60-break-blue-worker-2",
        f"{prefix}-65-access-check-blue-worker-1",
        f"{prefix}-65-access-check-blue-worker-2",
        f"{prefix}-70-verify-red",
    ]
    before = names[f"{prefix}-10-verify-before"]
    [workload] = [w for w in run.by_type("klustered:workload:Workload") if "blue" in w.name]
    [group] = [g for g in run.by_type("kubernetes:yaml/v2:ConfigGroup") if "blue" in g.name]
    assert {workload.urn, group.urn} & set(before.dependencies)
    ready = run.named("episode-blue-cluster-blue-control-plane-1-70-ready")
    assert ready.urn in before.dependencies
    for worker in ("blue-worker-1", "blue-worker-2"):
        step = names[f"{prefix}-60-break-{worker}"]
        stage = names[f"{prefix}-59-stage-solve-{worker}"]
        assert before.urn in stage.dependencies
        assert stage.urn in step.dependencies
        assert "export KLUSTERED_PARAM_MAX_PODS=2" in _guarded_step(step.inputs["stdin"])
        check = names[f"{prefix}-65-access-check-{worker}"]
        assert step.urn in check.dependencies
    red = names[f"{prefix}-70-verify-red"]
    checks = {
        names[f"{prefix}-65-access-check-{w}"].urn for w in ("blue-worker-1", "blue-worker-2")
    }
    assert checks <= set(red.dependencies)
    assert red.inputs["triggers"], "verify-red must run again when the break changes"


def _guarded_step(stdin: str) -> str:
    """The break step a guard wrapper carries (base64 in its STEP_B64 variable)."""
    [line] = [x for x in stdin.splitlines() if x.startswith("export STEP_B64=")]
    return base64.b64decode(line.split("=", 1)[1].strip("'")).decode()


def test_destroying_a_break_runs_its_staged_solve_with_no_secret_in_the_command(
    run: OfflineRun,
) -> None:
    stage = run.named("episode-blue-break-kubelet-maxpods-59-stage-solve-blue-worker-1")
    delete = stage.inputs["delete"]
    assert {"delete", "stdin", "environment"} <= set(stage.secret_inputs)
    assert delete.endswith("| sudo -n bash -s")
    assert "/var/lib/klustered/solve/kubelet-maxpods.enc" in delete
    assert len(delete) < 1024, "the solve itself never rides in the command"
    solve = run.value["blue/breaks/kubelet-maxpods/80-solve-on-destroy.sh"]
    assert "# --- solve ---" in solve
    for line in solve.splitlines()[-5:]:
        if len(line) > 8:
            assert line not in delete and line not in stage.inputs["stdin"]
    key = stage.inputs["environment"]["LC_KLUSTERED_SOLVE_KEY"]
    assert len(key) == 40
    assert key not in delete, "the key rides in the environment, never the command"
    assert key not in stage.inputs["stdin"]
    for name in ("10-verify-before", "60-break-blue-worker-1", "70-verify-red"):
        assert "delete" not in run.named(f"episode-blue-break-kubelet-maxpods-{name}").inputs


def test_a_rehearsal_breaks_solves_and_breaks_again(run_episode: RunEpisode) -> None:
    stack = copy.deepcopy(STACK)
    stack["klustered:teams"][0]["breaks"] = [{"id": "service-selector-typo", "rehearse": True}]
    rehearsed = run_episode(stack)
    [brk] = rehearsed.by_type(BREAK)
    steps = sorted(
        r.name.removeprefix("episode-blue-break-service-selector-typo-")
        for r in _under(rehearsed, brk)
        if r.type == COMMAND
    )
    assert steps == [
        "10-verify-before",
        "20-rehearse-break-blue-control-plane-1",
        "25-rehearse-access-check-blue-control-plane-1",
        "30-rehearse-verify-red",
        "40-rehearse-solve-blue-control-plane-1",
        "45-rehearse-access-check-solved-blue-control-plane-1",
        "50-rehearse-verify-green",
        "59-stage-solve-blue-control-plane-1",
        "60-break-blue-control-plane-1",
        "65-access-check-blue-control-plane-1",
        "70-verify-red",
    ]


def test_removing_a_break_changes_no_other_resource(
    run: OfflineRun, run_episode: RunEpisode
) -> None:
    fewer = copy.deepcopy(STACK)
    fewer["klustered:teams"][0]["breaks"] = fewer["klustered:teams"][0]["breaks"][:1]
    after = run_episode(fewer, stack="breaks")
    [removed] = [b for b in run.by_type(BREAK) if b.name.endswith("service-selector-typo")]
    gone = {removed.urn} | {r.urn for r in _under(run, removed)}
    kept = {r.urn: (r.raw_inputs, r.dependencies) for r in run.registrations if r.urn not in gone}
    now = {r.urn: (r.raw_inputs, r.dependencies) for r in after.registrations}
    assert now == kept


def test_breaks_do_not_touch_machines_or_bootstrap(
    run: OfflineRun, run_episode: RunEpisode
) -> None:
    none = copy.deepcopy(STACK)
    none["klustered:teams"][0]["breaks"] = []
    bare = run_episode(none, stack="breaks")

    def outside_breaks(r: OfflineRun) -> dict[str, Any]:
        inside = {d.urn for b in r.by_type(BREAK) for d in [b, *_under(r, b)]}
        return {
            x.urn: (x.raw_inputs, x.dependencies) for x in r.registrations if x.urn not in inside
        }

    assert outside_breaks(run) == outside_breaks(bare)


def test_plan_files_hold_each_break_step(run: OfflineRun) -> None:
    files = run.value
    steps = sorted(k for k in files if k.startswith("blue/breaks/kubelet-maxpods/"))
    assert steps == [
        "blue/breaks/kubelet-maxpods/10-verify-before.sh",
        "blue/breaks/kubelet-maxpods/59-stage-solve.sh",
        "blue/breaks/kubelet-maxpods/60-break.sh",
        "blue/breaks/kubelet-maxpods/65-access-check.sh",
        "blue/breaks/kubelet-maxpods/70-verify-red.sh",
        "blue/breaks/kubelet-maxpods/80-solve-on-destroy.sh",
    ]
    assert "export EXPECT=red" in files["blue/breaks/kubelet-maxpods/70-verify-red.sh"]


def _sampled(step: str) -> list[str]:
    match = re.search(r"^export VERIFY_SCRIPTS_B64=(?:'([^']*)'|(\S+))", step, re.MULTILINE)
    assert match is not None
    return [
        base64.b64decode(e).decode() for e in (match.group(1) or match.group(2)).split("\n") if e
    ]


def test_the_default_verify_is_the_goal_check_for_the_deployed_app(run: OfflineRun) -> None:
    before = run.value["blue/breaks/kubelet-maxpods/10-verify-before.sh"]
    goal, own = _sampled(before)
    assert "# --- verify ---" in own
    assert "export EXPECTED_VERSION=v1\n" in goal
    assert "export EXPECTED_IMAGE=ghcr.io/rawkodeacademy/klustered:v1\n" in goal
    assert "export NODE_ADDRESS=10.254.0." in goal, "control-plane-1's mesh address"
    assert "export KLUSTERED_V2_IMAGE=ghcr.io/rawkodeacademy/klustered:v2\n" in goal


def test_a_klusteredbench_baseline_checks_its_own_image(run_episode: RunEpisode) -> None:
    stack = copy.deepcopy(STACK)
    stack["klustered:workload"] = {"baseline": "klusteredbench"}
    files = run_episode(stack).value
    goal = _sampled(files["blue/breaks/kubelet-maxpods/10-verify-before.sh"])[0]
    assert "export EXPECTED_IMAGE=ghcr.io/rawkode-academy/klustered:v1\n" in goal
    assert "export KLUSTERED_DB_WORKLOAD=deployment/database\n" in goal
