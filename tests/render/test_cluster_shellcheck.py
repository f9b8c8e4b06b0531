"""Every rendered bootstrap phase passes shellcheck, for several cluster shapes."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from components.cluster.membership import render_join_token_step, render_leave_step
from components.nodes import node_slots
from components.workload.goal_check import render_goal_check
from tests import cluster_fixtures as fx
from tests.tools import SHELLCHECK

pytestmark = pytest.mark.skipif(SHELLCHECK is None, reason="shellcheck is not installed")

SHAPES = {
    "ha-minor": ("1.34", 3, 2),
    "single-exact": ("1.34.2", 1, 0),
}


def rendered_scripts(version: str, control_planes: int, workers: int) -> dict[str, str]:
    scripts: dict[str, str] = {}
    for number, slot in enumerate(node_slots("blue", control_planes, workers), start=1):
        files = fx.render_node_files(
            fx.cluster(version),
            slot,
            fx.node(slot, number),
            fx.secrets(),
            fx.cilium(),
            **fx.cluster_options(control_planes, workers),
        )
        scripts.update({f"{slot.name}/{n}": t for n, t in files.items() if n.endswith(".sh")})
    return scripts


def shellcheck(path: Path) -> subprocess.CompletedProcess[str]:
    assert SHELLCHECK is not None
    return subprocess.run(
        [SHELLCHECK, "--shell=bash", "--severity=style", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_rendered_bootstrap_phases_pass_shellcheck(shape: str, tmp_path: Path) -> None:
    scripts = rendered_scripts(*SHAPES[shape])
    assert len(scripts) >= 7
    failures = {}
    for name, text in scripts.items():
        path = tmp_path / name.replace("/", "__")
        path.write_text(text)
        result = shellcheck(path)
        if result.returncode != 0:
            failures[name] = result.stdout
    assert failures == {}


def test_keeper_steps_pass_shellcheck(tmp_path: Path) -> None:
    failures = {}
    for number, slot in enumerate(node_slots("blue", 3, 2), start=1):
        for kind, text in (
            ("join-token", render_join_token_step(slot, bootstrap_token=fx.TOKEN)),
            ("leave", render_leave_step(slot, node_address=f"10.254.0.{number}")),
        ):
            path = tmp_path / f"{kind}-{slot.name}.sh"
            path.write_text(text)
            result = shellcheck(path)
            if result.returncode != 0:
                failures[path.name] = result.stdout
    assert failures == {}


def test_rendered_goal_check_passes_shellcheck(tmp_path: Path) -> None:
    path = tmp_path / "goal_check.sh"
    path.write_text(render_goal_check("203.0.113.7", wait_seconds=60))
    result = shellcheck(path)
    assert result.returncode == 0, result.stdout


def test_shellcheck_is_really_checking(tmp_path: Path) -> None:
    path = tmp_path / "bad.sh"
    path.write_text("#!/usr/bin/env bash\nrm -rf $1/*\n")
    assert shellcheck(path).returncode != 0
