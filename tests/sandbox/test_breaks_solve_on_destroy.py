"""Solve on destroy: staged encrypted at break time, run by a short delete command.

The stage script and the delete command run unchanged in the node sandbox, with the
real openssl; the solve is bigger than the 128 KiB a command string may hold.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from breaks.render import render_step
from breaks.scenario import scenario_from_inline
from breaks.solve_on_destroy import (
    KEY_ENV,
    encrypt_solve,
    render_delete_command,
    render_stage_script,
    staged_path,
)
from tests.breaks_fixtures import NodeSandbox, shared_pki
from tests.tools import bwrap_missing

pytestmark = pytest.mark.sandbox

KEY = "k3yK3yk3yK3yk3yK3yk3yK3yk3yK3yk3yK3yk3yK"
SCENARIO = scenario_from_inline(
    {
        "id": "demo",
        "title": "Demo",
        "difficulty": "easy",
        "prompt": "Serve v2.",
        "files": {"break.sh": "true\n", "solve.sh": "true\n"},
    }
)


@pytest.fixture
def node() -> Iterator[NodeSandbox]:
    why = bwrap_missing() or (None if shutil.which("openssl") else "openssl is not installed")
    if why:
        pytest.skip(why)
    root = Path(tempfile.mkdtemp(prefix="klustered-sod-"))
    try:
        yield NodeSandbox(root / "node", shared_pki())
    finally:
        shutil.rmtree(root, ignore_errors=True)


def big_solve() -> str:
    """A solve of about 300 KiB: a marker file, then a long comment."""
    filler = "".join(f"# filler line {i:06d} {'x' * 60}\n" for i in range(4500))
    body = "echo solved >/root/solved\n" + filler
    return render_step(SCENARIO, "solve", body, {})


def test_openssl_decrypts_what_python_encrypts(tmp_path: Path) -> None:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    solve = big_solve()
    (tmp_path / "s.enc").write_bytes(encrypt_solve(solve, KEY))
    out = subprocess.run(
        "openssl enc -d -aes-256-cbc -pbkdf2 -iter 100000 -md sha256 -pass env:K -in s.enc",
        shell=True, cwd=tmp_path, capture_output=True, env={"K": KEY, "PATH": "/usr/bin:/bin"},
        check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert out.stdout.decode() == solve
    assert encrypt_solve(solve, KEY) == encrypt_solve(solve, KEY), "stable across runs"
    assert encrypt_solve(solve, KEY) != encrypt_solve(solve, KEY[::-1])


def test_a_big_solve_is_staged_unreadable_and_run_by_a_short_delete(node: NodeSandbox) -> None:
    solve = big_solve()
    assert len(solve) > 128 * 1024
    stage = render_stage_script("demo", solve, KEY)
    assert "filler line" not in stage
    first = node.run(stage)
    assert first.returncode == 0, first.stderr
    staged = node.root / staged_path("demo").lstrip("/")
    assert staged.stat().st_mode & 0o777 == 0o600
    assert staged.parent.stat().st_mode & 0o777 == 0o700
    content = staged.read_bytes()
    assert b"filler" not in content and b"solved" not in content
    assert node.run(stage).returncode == 0
    assert staged.read_bytes() == content, "staging twice changes nothing"

    delete = render_delete_command("demo", solve)
    assert len(delete) < 1024
    assert KEY not in delete
    done = node.run(delete, {KEY_ENV: KEY})
    assert done.returncode == 0, done.stderr
    assert (node.root / "root/solved").read_text() == "solved\n"
    assert not staged.exists(), "the staged solve goes once it ran"
    again = node.run(delete, {KEY_ENV: KEY})
    assert again.returncode == 0
    assert "nothing staged" in again.stdout


def test_a_tampered_stage_is_refused(node: NodeSandbox) -> None:
    solve = big_solve()
    assert node.run(render_stage_script("demo", solve, KEY)).returncode == 0
    other = render_stage_script("demo", "echo pwned >/root/pwned\n", KEY)
    assert node.run(other).returncode == 0
    done = node.run(render_delete_command("demo", solve), {KEY_ENV: KEY})
    assert done.returncode == 1
    assert "does not match" in done.stderr
    assert not (node.root / "root/pwned").exists()


def test_a_failing_solve_keeps_its_stage_and_says_one_line(node: NodeSandbox) -> None:
    solve = render_step(SCENARIO, "solve", "echo the secret fix is here; exit 3\n", {})
    assert node.run(render_stage_script("demo", solve, KEY)).returncode == 0
    done = node.run(render_delete_command("demo", solve), {KEY_ENV: KEY}, verbose=False)
    assert done.returncode != 0
    assert "secret fix" not in done.stdout + done.stderr
    assert re.fullmatch(
        r"break demo: solve.sh failed \(exit status 3\) on \S+", done.stderr.strip()
    )
    assert (node.root / staged_path("demo").lstrip("/")).exists(), "a retry can run it again"


def test_a_wrong_key_decrypts_nothing(node: NodeSandbox) -> None:
    solve = big_solve()
    assert node.run(render_stage_script("demo", solve, KEY)).returncode == 0
    done = node.run(render_delete_command("demo", solve), {KEY_ENV: KEY[::-1]})
    assert done.returncode != 0
    assert not (node.root / "root/solved").exists()


def test_without_the_key_in_the_environment_nothing_runs_and_one_line_says_why(
    node: NodeSandbox,
) -> None:
    solve = big_solve()
    assert node.run(render_stage_script("demo", solve, KEY)).returncode == 0
    done = node.run(render_delete_command("demo", solve))
    assert done.returncode == 1
    assert "the solve key did not arrive" in done.stderr
    assert not (node.root / "root/solved").exists()
