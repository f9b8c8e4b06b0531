"""Every broken stack file under tests/stacks/broken/ is refused with the field it breaks.

Each file states the line `klustered validate` must print in its `# expect:` header.
The CLI runs as a real process, so a traceback or a wrong exit code cannot hide.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BROKEN = sorted((Path(__file__).resolve().parents[1] / "stacks" / "broken").glob("*.yaml"))


def _expected(path: Path) -> str:
    for line in path.read_text(encoding="ascii").splitlines():
        if line.startswith("# expect: "):
            return line.removeprefix("# expect: ")
    raise AssertionError(f"{path.name} has no '# expect:' line")


def test_there_are_at_least_fifteen_kinds_of_broken_stack() -> None:
    assert len(BROKEN) >= 15


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_broken_stack_is_refused_naming_the_field(path: Path) -> None:
    # Provider credentials in the environment (a Gandi token, say) would satisfy rules
    # that some of these files break on purpose.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GANDI_", "GITHUB_"))}
    done = subprocess.run(
        [sys.executable, "-m", "klustered", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert _expected(path) in done.stderr, output
    assert "Traceback" not in output
    assert output.isascii()
