"""Shell scripts shipped as `.sh` files, parameterised by variables set at their top.

A node never receives a script from instance metadata or as a command-line argument:
the rendered text below is sent on stdin by pulumi-command.
"""

from __future__ import annotations

import functools
import re
import shlex
from collections.abc import Mapping
from importlib import resources

_NAME = re.compile(r"[A-Z_][A-Z0-9_]*\Z")
SHEBANG = "#!/usr/bin/env bash"


@functools.cache
def load_script(package: str, name: str) -> str:
    """Return the text of the script `name` shipped inside `package` (read once)."""
    return resources.files(package).joinpath(name).read_text(encoding="ascii")


def render_script(body: str, env: Mapping[str, str], *, title: str = "") -> str:
    """Return `body` with `export NAME='value'` lines placed right after its shebang.

    Names are upper-case shell identifiers; values are single-quoted, so any text
    (PEM blocks, YAML documents) survives unchanged.
    """
    lines = body.splitlines()
    if lines and lines[0].startswith("#!"):
        lines = lines[1:]
    header = [SHEBANG]
    if title:
        header.append(f"# {title}")
    for name in sorted(env):
        value = env[name]
        if not _NAME.match(name):
            raise ValueError(f"script variable {name!r} is not an upper-case shell name")
        if "\0" in value:
            raise ValueError(f"script variable {name} contains a NUL byte")
        header.append(f"export {name}={shlex.quote(value)}")
    return "\n".join([*header, *lines]) + "\n"
