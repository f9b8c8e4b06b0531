"""Episode expiry: which stacks' `klustered:expires` has passed, and when to warn about it.

CI's expire workflow destroys every stack listed by `klustered expired`; `validate` warns
about an expiry in the past or too far ahead (bare metal bills by the hour).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from klustered.config import StackConfigError, validate_stack_config
from klustered.stackfile import StackFileError, find_project_dir, load_stack_file, stack_dir

MAX_AHEAD = timedelta(days=30)
"""An expiry further ahead than this is probably a typo (a year, a month) and gets a warning."""


class TimeError(ValueError):
    """A time that cannot be used; the message names the field it came from."""


def parse_time(text: str, field: str) -> datetime:
    """An ISO 8601 time with a timezone (`2026-12-01T20:00:00Z`); TimeError naming `field`."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise TimeError(
            f"{field}: {_show(text)} is not an ISO 8601 time like 2026-12-01T20:00:00Z"
        ) from None
    if value.utcoffset() is None:
        raise TimeError(
            f"{field}: {_show(text)} has no timezone: add Z (UTC) or an offset like +01:00"
        )
    return value


def format_time(value: datetime) -> str:
    """A time as ISO 8601 in UTC with a `Z` suffix."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _span(delta: timedelta) -> str:
    seconds = int(abs(delta).total_seconds())
    if seconds >= 2 * 86400:
        return f"{seconds // 86400} days"
    if seconds >= 2 * 3600:
        return f"{seconds // 3600} hours"
    return f"{seconds // 60} minutes"


def expires_warnings(expires: datetime | None, now: datetime) -> list[str]:
    """Warnings about a stack's expiry at `now`: already passed, or more than 30 days ahead."""
    if expires is None:
        return []
    when = format_time(expires)
    if expires <= now:
        return [
            f"expires: {when} has passed ({_span(now - expires)} ago): CI's expire workflow "
            "destroys this stack on its next run; move expires later to keep it"
        ]
    if expires - now > MAX_AHEAD:
        return [
            f"expires: {when} is {_span(expires - now)} ahead, more than "
            f"{MAX_AHEAD.days} days: the episode's machines bill until then"
        ]
    return []


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
            config = validate_stack_config(stack_file.config, stack_file.project_dir)
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


def _show(text: str) -> str:
    return repr(text).encode("ascii", "backslashreplace").decode("ascii")
