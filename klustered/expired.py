"""The stacks of a project whose `klustered:expires` has passed (`klustered expired`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from klustered.config import StackConfigError, validate_stack_config
from klustered.expiry import format_time
from klustered.stackfile import StackFileError, find_project_dir, load_stack_file, stack_dir


@dataclass(frozen=True)
class ExpiredStack:
    """A stack whose expiry has passed."""

    name: str
    expires: datetime
    file: str
    """The stack file, relative to the project directory."""

    def as_json(self) -> dict[str, str]:
        """The entry as `klustered expired --json` prints it."""
        return {"stack": self.name, "expires": format_time(self.expires), "file": self.file}


@dataclass(frozen=True)
class ExpiryScan:
    """Every stack file of a project checked against a time."""

    expired: list[ExpiredStack] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """One entry per stack file that could not be checked: the file, then its errors."""
    checked: int = 0


def scan_stacks(at: datetime, cwd: Path | None = None) -> ExpiryScan:
    """Check every stack file of the project at or above `cwd` against `at`.

    A stack file that does not validate is recorded in `problems` and skipped; stacks
    without `expires` never expire. Raises StackFileError when there is no project.
    """
    project_dir = find_project_dir(cwd)
    expired: list[ExpiredStack] = []
    problems: list[str] = []
    paths = sorted(stack_dir(project_dir).glob("Pulumi.*.yaml"))
    for path in paths:
        shown = _relative(path, project_dir)
        try:
            stack_file = load_stack_file(str(path))
            config = validate_stack_config(
                stack_file.config, stack_file.project_dir, stack=stack_file.name
            )
        except StackFileError as exc:
            problems.append(f"{shown}: not checked: {exc}")
            continue
        except StackConfigError as exc:
            lines = [f"{shown}: not checked: {len(exc.errors)} problem(s)"]
            lines += [f"  {e}" for e in exc.errors]
            problems.append("\n".join(lines))
            continue
        if config.expires is not None and config.expires <= at:
            expired.append(ExpiredStack(stack_file.name, config.expires, shown))
    return ExpiryScan(expired=expired, problems=problems, checked=len(paths))


def _relative(path: Path, base: Path) -> str:
    try:
        return str(path.resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)
