"""The hostile-stack corpus: every file under tests/stacks/broken/ is refused naming its field,
every file under tests/stacks/accepted/ validates.

Each file states its verdict in a `# expect:` header: the line `klustered validate` must
print (`field: message`, or the file-level reason), or `valid`. The corpus runs through
the CLI in-process (fast enough for a few hundred files on a shared machine); a sample
runs as real processes, so a traceback or a wrong exit code cannot hide behind the test
runner.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from klustered.cli import app

STACKS = Path(__file__).resolve().parents[1] / "stacks"
BROKEN = sorted((STACKS / "broken").glob("*.yaml"))
ACCEPTED = sorted((STACKS / "accepted").glob("*.yaml"))
PROBLEM_LINE = re.compile(r"  \S.*?: \S")
"""An indented problem line of `validate`: `  field.path: message`."""
SLOW_ONES = ["yaml-alias-bomb", "yaml-deep-nesting", "guest-zero-width", "cidr-overlap"]


def _expected(path: Path) -> str:
    for line in path.read_bytes().decode("utf-8", errors="replace").splitlines():
        if line.startswith("# expect: "):
            return line.removeprefix("# expect: ")
    raise AssertionError(f"{path.name} has no '# expect:' line")


PROVIDER_CREDENTIALS = ("GANDI_", "GITHUB_")
"""Provider credentials in the environment (a Gandi token, say) would satisfy rules that
some of these files break on purpose: the corpus runs without them."""


def _validate(path: Path) -> tuple[int, str, str]:
    unset: dict[str, str | None] = {
        k: None for k in os.environ if k.startswith(PROVIDER_CREDENTIALS)
    }
    result = CliRunner(env=unset).invoke(app, ["validate", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{path.name}: {type(result.exception).__name__}: {result.exception}"
    )
    return result.exit_code, result.stdout, result.stderr


def test_the_corpus_holds_at_least_150_hostile_or_careless_stacks() -> None:
    assert len(BROKEN) + len(ACCEPTED) >= 150


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_broken_stack_is_refused_naming_the_field(path: Path) -> None:
    code, stdout, stderr = _validate(path)
    output = stdout + stderr
    assert code == 1, output
    assert _expected(path) in stderr, output
    assert "Traceback" not in output
    assert output.isascii() and not re.search(r"[\x00-\x09\x0b-\x1f\x7f]", output), output
    header, *problems = [line for line in stderr.splitlines() if not line.startswith("warning: ")]
    if header.endswith("problem(s)"):
        # A config problem: every line names its field.
        assert problems and all(PROBLEM_LINE.match(p) for p in problems), stderr
    else:
        # The file itself cannot be read: one line naming the file (and the line).
        assert not problems and header.startswith("error: "), stderr


@pytest.mark.parametrize("path", ACCEPTED, ids=lambda p: p.stem)
def test_careless_but_meaningful_stack_is_accepted(path: Path) -> None:
    assert _expected(path) == "valid"
    code, stdout, stderr = _validate(path)
    assert code == 0, stdout + stderr
    assert "valid." in stdout


@pytest.mark.parametrize("name", SLOW_ONES)
def test_a_real_process_refuses_in_one_line_without_traceback(name: str) -> None:
    path = STACKS / "broken" / f"{name}.yaml"
    env = {k: v for k, v in os.environ.items() if not k.startswith(PROVIDER_CREDENTIALS)}
    done = subprocess.run(
        [sys.executable, "-m", "klustered", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert _expected(path) in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
