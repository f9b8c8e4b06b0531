"""Expiry rules: times given with a timezone, and the warnings `validate` prints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from klustered.expiry import TimeError, expires_warnings, format_time, parse_time

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def test_time_keeps_its_offset_and_prints_in_utc() -> None:
    value = parse_time("2026-12-01T21:00:00+01:00", "--at")
    assert value.utcoffset() == timedelta(hours=1)
    assert format_time(value) == "2026-12-01T20:00:00Z"


def test_time_with_z_is_utc() -> None:
    assert parse_time("2026-12-01T20:00:00Z", "--at") == datetime(2026, 12, 1, 20, tzinfo=UTC)


def test_time_without_timezone_is_refused_naming_the_field() -> None:
    with pytest.raises(TimeError) as caught:
        parse_time("2026-12-01T20:00:00", "--at")
    assert str(caught.value) == (
        "--at: '2026-12-01T20:00:00' has no timezone: add Z (UTC) or an offset like +01:00"
    )


@pytest.mark.parametrize("text", ["next tuesday", "2026-13-01T00:00:00Z", "", "1764619200"])
def test_unparseable_time_is_refused_naming_the_field(text: str) -> None:
    with pytest.raises(TimeError, match=r"^--at: .* is not an ISO 8601 time"):
        parse_time(text, "--at")


def test_non_ascii_in_a_bad_time_is_escaped_in_the_message() -> None:
    with pytest.raises(TimeError) as caught:
        parse_time("2026\u201012-01", "--at")
    assert str(caught.value).isascii()


def test_no_expiry_no_warning() -> None:
    assert expires_warnings(None, NOW) == []


def test_expiry_within_thirty_days_is_quiet() -> None:
    assert expires_warnings(NOW + timedelta(hours=3), NOW) == []
    assert expires_warnings(NOW + timedelta(days=30), NOW) == []


def test_expiry_in_the_past_warns_that_ci_destroys_the_stack() -> None:
    (warning,) = expires_warnings(NOW - timedelta(hours=5), NOW)
    assert warning.startswith("2026-12-02T07:00:00Z has passed (5 hours ago)")
    assert "destroys" in warning


def test_expiry_exactly_now_has_passed() -> None:
    (warning,) = expires_warnings(NOW, NOW)
    assert "has passed" in warning


def test_expiry_more_than_thirty_days_ahead_warns() -> None:
    (warning,) = expires_warnings(NOW + timedelta(days=30, seconds=1), NOW)
    assert warning.startswith("2027-01-01T12:00:01Z is 30 days ahead, more than 30 days")
    (warning,) = expires_warnings(NOW + timedelta(days=365), NOW)
    assert "365 days ahead" in warning


def test_expiry_in_another_timezone_is_compared_as_an_instant() -> None:
    tokyo = timezone(timedelta(hours=9))
    # 20:00 in Tokyo is 11:00 UTC: one hour before NOW.
    (warning,) = expires_warnings(datetime(2026, 12, 2, 20, 0, tzinfo=tokyo), NOW)
    assert "2026-12-02T11:00:00Z has passed (60 minutes ago)" in warning
