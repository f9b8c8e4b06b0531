"""Failing break steps on a sandboxed node print no secret and no spoiler: what
pulumi-command would put in its error message (the command's stdout and stderr) holds
one line, never the break's output. Break steps run under the access guard
(breaks/lib/access-guard.sh) in the break node sandbox. (A failing kubeadm phase is
covered the same way by tests/sandbox/test_cluster_kubeadm_reruns.py.)
"""

from __future__ import annotations

import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from breaks.access_guard import access_check, guarded_step
from breaks.render import render_steps
from breaks.scenario import scenario_from_inline
from tests.breaks_fixtures import SANDBOX_DIR, NodeSandbox, shared_pki
from tests.tools import bwrap_missing

_WHY = bwrap_missing()
pytestmark = [pytest.mark.sandbox, pytest.mark.skipif(_WHY is not None, reason=_WHY or "")]

MARKER = "zq-spoiler-marker-3c9e"
ID = "guarded-break"

# systemctl on this node: ssh is active while /.sandbox/ssh-active exists; no teleport.
SYSTEMCTL = f"""#!/bin/bash
printf '%s\\n' "systemctl $*" >>/{SANDBOX_DIR}/calls.log
case "$1" in
is-active)
  unit="${{*: -1}}"
  case "$unit" in ssh.service) [ -f /{SANDBOX_DIR}/ssh-active ] ;; *) exit 3 ;; esac ;;
cat) exit 1 ;;
*) exit 0 ;;
esac
"""


def _scenario(break_sh: str, solve_sh: str):  # type: ignore[no-untyped-def]
    return scenario_from_inline(
        {
            "id": ID,
            "title": "Guarded",
            "difficulty": "easy",
            "prompt": "Make the app serve v2.",
            "files": {"break.sh": break_sh, "solve.sh": solve_sh},
        }
    )


SOLVE = f"touch /{SANDBOX_DIR}/ssh-active\necho solved >/{SANDBOX_DIR}/solved\n"


@pytest.fixture
def node() -> Iterator[NodeSandbox]:
    root = Path(tempfile.mkdtemp(prefix="klustered-guard-"))
    try:
        box = NodeSandbox(root / "node", shared_pki())
        stub = box.root / SANDBOX_DIR / "stubs" / "systemctl"
        stub.write_text(SYSTEMCTL)
        stub.chmod(0o755)
        (box.root / SANDBOX_DIR / "ssh-active").touch()
        yield box
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _guarded(break_sh: str, seconds: int = 300) -> tuple[str, str]:
    scenario = _scenario(break_sh, SOLVE)
    steps = render_steps(scenario)
    script = guarded_step(
        scenario, "60-break", steps["break"], steps["solve"], guard_seconds=seconds
    )
    return script, access_check(scenario, "after the break")


def _guard_dir(box: NodeSandbox) -> Path:
    return box.root / "var/lib/klustered/guard" / ID


def test_a_break_that_cuts_ssh_is_solved_at_once_and_prints_no_spoiler(node: NodeSandbox) -> None:
    script, _ = _guarded(f"echo '{MARKER}'\nrm -f /{SANDBOX_DIR}/ssh-active\n")
    done = node.run(script)
    assert done.returncode == 1
    assert MARKER not in done.stdout + done.stderr
    [line] = done.stderr.strip().splitlines()
    assert (
        "cut the access path in 60-break (lost: the ssh service is active): solved at once" in line
    )
    assert (node.root / SANDBOX_DIR / "solved").is_file()
    assert (node.root / SANDBOX_DIR / "ssh-active").is_file()
    assert not _guard_dir(node).exists(), "no copy of the solve may stay behind"
    log = node.root / "var/lib/klustered/breaks" / f"{ID}.log"
    assert MARKER in log.read_text()
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_a_failing_break_step_prints_one_line_and_keeps_its_output_on_the_node(
    node: NodeSandbox,
) -> None:
    script, check = _guarded(f"echo '{MARKER}' >&2\nexit 3\n")
    done = node.run(script)
    assert done.returncode == 3
    assert MARKER not in done.stdout + done.stderr
    [line] = done.stderr.strip().splitlines()
    assert f"break {ID}: 60-break failed (exit 3); its output is in" in line
    guard = _guard_dir(node)
    assert stat.S_IMODE(guard.stat().st_mode) == 0o700
    assert stat.S_IMODE((guard / "solve.sh").stat().st_mode) == 0o600
    # The host gets back in: its check passes and takes the armed solve away.
    checked = node.run(check)
    assert checked.returncode == 0, checked.stderr
    assert not guard.exists()
    assert not (node.root / SANDBOX_DIR / "solved").exists()


def test_the_guard_solves_a_break_the_host_cannot_get_back_from(node: NodeSandbox) -> None:
    # A cut the node cannot see (say, a firewall on the way): the host never checks in.
    script, check = _guarded("true\n", seconds=1)
    (node.root / SANDBOX_DIR / "guarded.sh").write_text(script)
    done = node.run(f"bash /{SANDBOX_DIR}/guarded.sh\nsleep 3\n")
    assert done.returncode == 0, done.stderr
    assert (node.root / SANDBOX_DIR / "solved").is_file()
    late = node.run(check)
    assert late.returncode == 1
    assert "cut the host's access after the break: the guard ran its solve" in late.stderr
    assert not _guard_dir(node).exists()
