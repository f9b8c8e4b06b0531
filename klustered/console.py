"""Where the command line prints: rich consoles that never cut or wrap piped output."""

from __future__ import annotations

from rich.console import Console

PIPE_WIDTH = 1_000_000
"""The width a console assumes when it does not print to a terminal: wide enough that no
line of a table, tree or message is ever wrapped or cut (tables are as wide as their
content; nothing is padded to this width)."""


def console(*, stderr: bool = False) -> Console:
    """A console on stdout (or stderr): the terminal's width on a terminal; on a pipe or a
    file (CI logs), lines as long as they are, no colours."""
    made = Console(stderr=stderr, highlight=False)
    if not made.is_terminal:
        made.width = PIPE_WIDTH
        made.soft_wrap = True
    return made
