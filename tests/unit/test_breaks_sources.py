"""Break files come from inside the project, are regular files and stay small; lint of the
largest allowed script finishes (a hang guard, not a timing assertion: see bench/)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from breaks.lint import lint_directory
from breaks.sources import MAX_SCRIPT_BYTES, SourceError, read_source

SPEC = "id: big\ntitle: Big\ndifficulty: easy\nprompt: Serve v2.\n"


def _scenario(root: Path, break_sh: str) -> Path:
    d = root / "big"
    d.mkdir()
    (d / "scenario.yaml").write_text(SPEC)
    (d / "break.sh").write_text(break_sh)
    (d / "solve.sh").write_text("#!/usr/bin/env bash\ntrue\n")
    return d


def test_a_script_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    d = _scenario(tmp_path, "#" * (MAX_SCRIPT_BYTES + 1))
    [v] = [v for v in lint_directory(d) if v.rule == "source"]
    assert (v.file, f"more than the {MAX_SCRIPT_BYTES} allowed" in v.message) == ("break.sh", True)


def test_a_fifo_is_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "break.sh"
    os.mkfifo(fifo)
    with pytest.raises(SourceError, match="not a regular file"):
        read_source(fifo, tmp_path, 1024)


def test_a_hard_link_inside_the_tree_reads_like_the_file(tmp_path: Path) -> None:
    (tmp_path / "a.sh").write_text("true\n")
    os.link(tmp_path / "a.sh", tmp_path / "b.sh")
    assert read_source(tmp_path / "b.sh", tmp_path, 1024) == b"true\n"


def test_lint_of_the_largest_allowed_script_finishes(tmp_path: Path) -> None:
    line = 'kubectl -n default get pods | grep -v Running || true; echo "$(date)"\n'
    d = _scenario(tmp_path, line * (MAX_SCRIPT_BYTES // len(line)))
    code = f"from breaks.lint import lint_directory; print(len(lint_directory({str(d)!r})))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
