"""Episode expiry times: read with a timezone, printed in UTC, and when they deserve a warning.

CI's expire workflow destroys every stack `klustered expired` lists; `validate` warns about
an expiry in the past or too far ahead (bare metal bills by the hour).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

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
            f"{when} has passed ({_span(now - expires)} ago): CI's expire workflow "
            "destroys this stack on its next run; move expires later to keep it"
        ]
    if expires - now > MAX_AHEAD:
        return [
            f"{when} is {_span(expires - now)} ahead, more than "
            f"{MAX_AHEAD.days} days: the episode's machines bill until then"
        ]
    return []


def _show(text: str) -> str:
    return repr(text).encode("ascii", "backslashreplace").decode("ascii")
