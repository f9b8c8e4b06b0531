"""Failing steps on a sandboxed node print no secret: what pulumi-command would put in its
error message (the command's stdout and stderr) holds neither a token nor a break's text.

Break steps run under the access guard (breaks/lib/access-guard.sh) in the break node
sandbox; a kubeadm phase runs in the cluster node sandbox with a kubeadm that prints what
the real one prints (the join command with the token and certificate key) and fails.
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
from tests import cluster_fixtures as fx
from tests.breaks_fixtures import SANDBOX_DIR, NodeSandbox, shared_pki
from tests.cluster_sandbox import NodeSandbox as ClusterNode
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


KUBEADM_TALKS = r"""#!/usr/bin/env bash
# kubeadm as it prints on the way (the join command holds the token and certificate key),
# then fails; what it printed is also kept in /state/kubeadm-printed for the test.
set -euo pipefail
if [ "$1" = version ]; then
  echo v1.34.3
  exit 0
fi
config=""
while [ $# -gt 0 ]; do
  if [ "$1" = --config ]; then config="$2"; fi
  shift
done
token="$(grep -o '[a-z0-9]\{6\}\.[a-z0-9]\{16\}' "$config" | head -1)"
key="$(grep -o '[0-9a-f]\{64\}' "$config" | head -1)"
{
  echo "[bootstrap-token] Using token: $token"
  echo "kubeadm join api:6443 --token $token --control-plane --certificate-key $key"
} | tee /state/kubeadm-printed
echo "error execution phase wait-control-plane: timed out" >&2
exit 1
"""


@pytest.mark.xfail(
    strict=True,
    reason="issue 9 sends kubeadm's output to a root-only log; until it lands, init prints it",
)
def test_a_failing_kubeadm_init_prints_neither_token_nor_certificate_key(tmp_path: Path) -> None:
    box = ClusterNode.create(tmp_path / "node", node_count=1)
    secrets = fx.secrets()
    slot = fx.slots()[0]
    files = fx.render_node_files(
        fx.cluster("1.34"),
        slot,
        fx.node(slot, 1),
        secrets,
        fx.cilium(),
        expected_nodes=1,
        api_endpoint_address="10.254.0.1",
    )
    kubeadm = box.stubs / "kubeadm"
    kubeadm.unlink()
    kubeadm.write_text(KUBEADM_TALKS)
    kubeadm.chmod(0o755)
    done = box.run(files["50-kubeadm-init.sh"])
    assert done.returncode != 0
    said = (box.state / "kubeadm-printed").read_text()
    assert secrets.bootstrap_token in said and secrets.certificate_key in said
    printed = done.stdout + done.stderr
    assert secrets.bootstrap_token not in printed
    assert secrets.certificate_key not in printed
