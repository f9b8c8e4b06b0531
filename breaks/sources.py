"""Where a break's files may come from: inside the project (or the installed catalog),
regular files only, within size limits.

A scenario directory, its scenario.yaml and every script it names must resolve (symlinks
followed) inside the tree the break belongs to: the project directory for a stack's
`path:` breaks, the catalog for catalog breaks, the directory itself for `breaks lint`.
Nothing else on the operator's machine can be shipped to the nodes.
"""

from __future__ import annotations

import stat
from pathlib import Path, PurePosixPath

MAX_SPEC_BYTES = 64 * 1024
"""scenario.yaml: a page of prompt, hints and solution is a few KiB."""
MAX_SCRIPT_BYTES = 256 * 1024
"""One script: the catalog's largest is a few KiB; anything bigger is not a break script."""


class SourceError(ValueError):
    """A file a break may not use, with the reason."""


def _shown(path: Path | str) -> str:
    text = str(path)
    text = text if len(text) <= 120 else text[:120] + "..."
    return "".join(c if 32 <= ord(c) < 127 else f"\\u{ord(c):04x}" for c in text)


def resolved(path: Path) -> Path | None:
    """`path` with every symlink followed; None for a symlink loop or an unreadable path."""
    try:
        return path.resolve(strict=True)
    except FileNotFoundError:
        pass  # a missing file (or a dangling link): where it would be, checked as such
    except (OSError, RuntimeError):  # a loop (3.13 reports it only when strict), no access
        return None
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # before 3.13 a loop raises here too
        return None


def inside(path: Path, root: Path) -> bool:
    """True when `path`, with every symlink followed, is `root` or below it."""
    real, real_root = resolved(path), resolved(root)
    return real is not None and real_root is not None and real.is_relative_to(real_root)


def check_script_name(name: str) -> None:
    """A script named in scenario.yaml: a plain relative path inside the scenario."""
    pure = PurePosixPath(name)
    if not name or "\0" in name or any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise SourceError(f"{_shown(name)!s} is not a file name")
    if pure.is_absolute() or ".." in pure.parts:
        raise SourceError(f"{_shown(name)} leaves the scenario directory")


def check_directory(directory: Path, root: Path) -> None:
    """The scenario directory resolves inside `root`."""
    if not inside(directory, root):
        raise SourceError(
            f"{_shown(directory)} resolves to {_shown(directory.resolve())}, outside {_shown(root)}"
        )


def read_source(file: Path, root: Path, limit: int) -> bytes:
    """The bytes of a break file that resolves inside `root`, is regular and small enough."""
    target = resolved(file)
    if target is None:
        raise SourceError(f"{_shown(file.name)} is a symlink loop")
    if not inside(file, root):
        raise SourceError(
            f"{_shown(file.name)} resolves to {_shown(target)}, outside {_shown(root)}"
        )
    try:
        info = file.stat()
    except OSError as exc:
        raise SourceError(f"{_shown(file.name)} cannot be read ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        raise SourceError(f"{_shown(file.name)} is not a regular file")
    if info.st_size > limit:
        raise SourceError(
            f"{_shown(file.name)} is {info.st_size} bytes, more than the {limit} allowed"
        )
    try:
        with file.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise SourceError(f"{file.name} cannot be read ({exc.strerror})") from None
    if len(data) > limit:
        raise SourceError(f"{file.name} is more than the {limit} bytes allowed")
    return data
