"""`klustered validate` warns (and still passes) when expires has passed or is far ahead."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from klustered.cli import app

runner = CliRunner()


def _validate(tmp_path: Path, expires: datetime | None) -> tuple[int, str]:
    path = tmp_path / "Pulumi.s.yaml"
    body = (
        "config:\n  klustered:machines: {provider: gcp, gcp: {project: test-project}}\n"
        "  klustered:teams: [{name: blue}]\n"
    )
    if expires is not None:
        body += f'  klustered:expires: "{expires.isoformat()}"\n'
    path.write_text(body)
    result = runner.invoke(app, ["validate", str(path)])
    assert "valid." in result.stdout
    return result.exit_code, result.stderr


@pytest.mark.parametrize(
    ("offset", "warning"),
    [
        (timedelta(hours=-2), "has passed"),
        (timedelta(days=45), "days ahead, more than 30 days"),
    ],
    ids=["past", "far-ahead"],
)
def test_validate_warns_on_stderr_and_exits_zero(
    tmp_path: Path, offset: timedelta, warning: str
) -> None:
    code, err = _validate(tmp_path, datetime.now(UTC) + offset)
    assert code == 0
    (line,) = err.splitlines()
    assert line.startswith("warning: expires: ")
    assert warning in line


@pytest.mark.parametrize("expires", [datetime.now(UTC) + timedelta(days=2), None])
def test_validate_is_quiet_about_an_expiry_within_thirty_days_or_none(
    tmp_path: Path, expires: datetime | None
) -> None:
    assert _validate(tmp_path, expires) == (0, "")


def test_validate_json_lists_the_expiry_warning_with_its_field(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.s.yaml"
    path.write_text(
        "config:\n  klustered:machines: {provider: gcp, gcp: {project: test-project}}\n"
        '  klustered:teams: [{name: blue}]\n  klustered:expires: "2020-01-01T00:00:00Z"\n'
    )
    result = runner.invoke(app, ["validate", "--json", str(path)])
    assert result.exit_code == 0
    (problem,) = json.loads(result.stdout)
    assert problem["field"] == "expires" and problem["severity"] == "warning"
    assert problem["message"].startswith("2020-01-01T00:00:00Z has passed")
