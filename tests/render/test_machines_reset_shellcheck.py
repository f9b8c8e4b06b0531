"""The reset an existing machine runs when its node leaves the stack passes shellcheck."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from components.machines.existing import render_reset_script
from tests.tools import SHELLCHECK

pytestmark = pytest.mark.skipif(SHELLCHECK is None, reason="shellcheck is not installed")


def test_rendered_reset_script_passes_shellcheck(tmp_path: Path) -> None:
    assert SHELLCHECK is not None
    script = tmp_path / "reset.sh"
    script.write_text(render_reset_script(), encoding="ascii")
    done = subprocess.run(
        [SHELLCHECK, "--shell=bash", "--severity=style", str(script)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout
