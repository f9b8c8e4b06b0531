"""`klustered expired`: the stacks of the project whose `expires` is at or before a time.

Each test builds a project (Pulumi.yaml + stacks/) in a temp dir and runs the command
there, as the expire workflow does from the repository root.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from klustered.cli import app

runner = CliRunner()

VALID_TEAMS = """\
  klustered:machines:
    provider: gcp
    gcp: {project: test-project}
  klustered:teams:
    - name: blue
"""


def _project(root: Path, stacks: dict[str, str | None]) -> Path:
    """A project with one stack file per entry: name -> expires line value (None: no key)."""
    (root / "Pulumi.yaml").write_text("name: klustered\nruntime: python\nstackConfigDir: stacks\n")
    (root / "stacks").mkdir()
    for name, expires in stacks.items():
        body = "config:\n" + VALID_TEAMS
        if expires is not None:
            body += f"  klustered:expires: {expires}\n"
        (root / "stacks" / f"Pulumi.{name}.yaml").write_text(body)
    return root


def _run(project: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, str]:
    monkeypatch.chdir(project)
    result = runner.invoke(app, ["expired", *args])
    assert "Traceback" not in result.output + result.stderr
    return result.exit_code, result.stdout, result.stderr


def test_lists_past_stacks_not_future_or_missing_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(
        tmp_path,
        {
            "past": '"2026-12-01T20:00:00Z"',
            "future": '"2026-12-03T20:00:00Z"',
            "none": None,
        },
    )
    code, out, err = _run(project, monkeypatch, "--at", "2026-12-02T00:00:00Z", "--json")
    assert code == 0, err
    assert json.loads(out) == [
        {"stack": "past", "expires": "2026-12-01T20:00:00Z", "file": "stacks/Pulumi.past.yaml"}
    ]
    assert err == ""


def test_a_stack_expiring_exactly_at_the_time_is_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path, {"edge": '"2026-12-02T01:00:00+01:00"'})
    code, out, _ = _run(project, monkeypatch, "--at", "2026-12-02T00:00:00Z", "--json")
    assert code == 0
    assert [s["stack"] for s in json.loads(out)] == ["edge"]
    code, out, _ = _run(project, monkeypatch, "--at", "2026-12-01T23:59:59Z", "--json")
    assert json.loads(out) == []


def test_none_expired_is_an_empty_list_and_exit_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path, {"future": '"2026-12-03T20:00:00Z"', "none": None})
    code, out, err = _run(project, monkeypatch, "--at", "2026-12-02T00:00:00Z", "--json")
    assert (code, json.loads(out), err) == (0, [], "")
    code, out, _ = _run(project, monkeypatch, "--at", "2026-12-02T00:00:00Z")
    assert code == 0
    assert out == "no stack has expired at 2026-12-02T00:00:00Z (2 checked)\n"


def test_default_time_is_now(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    now = datetime.now(UTC)
    hour_ago = (now - timedelta(hours=1)).isoformat()
    in_an_hour = (now + timedelta(hours=1)).isoformat()
    project = _project(tmp_path, {"gone": f'"{hour_ago}"', "live": f'"{in_an_hour}"'})
    code, out, _ = _run(project, monkeypatch, "--json")
    assert code == 0
    assert [s["stack"] for s in json.loads(out)] == ["gone"]


def test_text_output_names_each_stack_with_its_expiry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(
        tmp_path, {"a": '"2026-11-30T10:00:00Z"', "episode-42": '"2026-12-01T21:00:00+01:00"'}
    )
    code, out, _ = _run(project, monkeypatch, "--at", "2026-12-02T00:00:00Z")
    assert code == 0
    assert out.splitlines() == [
        "a           expired 2026-11-30T10:00:00Z",
        "episode-42  expired 2026-12-01T20:00:00Z",
    ]


@pytest.mark.parametrize(
    ("expires", "message"),
    [
        ("next tuesday", "expires: 'next tuesday' is not an ISO 8601 time"),
        ('"2026-11-01T20:00:00"', "expires: '2026-11-01T20:00:00' has no timezone"),
        ("2026-11-01T20:00:00", "expires: '2026-11-01T20:00:00' has no timezone"),
    ],
    ids=["unparseable", "no-timezone-quoted", "no-timezone-yaml-timestamp"],
)
def test_broken_expires_is_reported_on_stderr_and_the_others_still_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, expires: str, message: str
) -> None:
    project = _project(
        tmp_path,
        {"broken": expires, "past": '"2026-12-01T20:00:00Z"', "zzz": '"2026-11-01T00:00:00Z"'},
    )
    code, out, err = _run(project, monkeypatch, "--at", "2026-12-02T00:00:00Z", "--json")
    assert code == 1
    assert [s["stack"] for s in json.loads(out)] == ["past", "zzz"]
    assert "stacks/Pulumi.broken.yaml: not checked" in err
    assert message in err
    assert err.splitlines()[-1] == "error: 1 of 3 stack file(s) could not be checked"


def test_stack_file_that_is_not_yaml_or_not_valid_does_not_stop_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path, {"past": '"2026-12-01T20:00:00Z"'})
    stacks = project / "stacks"
    (stacks / "Pulumi.a-not-yaml.yaml").write_text("config: [unclosed\n")
    (stacks / "Pulumi.b-bad-team.yaml").write_text(
        'config:\n  klustered:expires: "2026-11-01T00:00:00Z"\n'
        "  klustered:teams:\n    - name: Blue\n"
    )
    code, out, err = _run(project, monkeypatch, "--at", "2026-12-02T00:00:00Z", "--json")
    assert code == 1
    assert [s["stack"] for s in json.loads(out)] == ["past"]
    assert "Pulumi.a-not-yaml.yaml" in err and "not valid YAML" in err
    assert "stacks/Pulumi.b-bad-team.yaml: not checked" in err
    assert "teams[0].name: 'Blue' is not a DNS label" in err


def test_at_without_timezone_is_refused_naming_at(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path, {"past": '"2026-12-01T20:00:00Z"'})
    code, out, err = _run(project, monkeypatch, "--at", "2026-12-02T00:00:00")
    assert (code, out) == (2, "")
    assert err == (
        "error: --at: '2026-12-02T00:00:00' has no timezone: add Z (UTC) or an offset like +01:00\n"
    )


def test_unparseable_at_is_refused_naming_at(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path, {"past": '"2026-12-01T20:00:00Z"'})
    code, out, err = _run(project, monkeypatch, "--at", "yesterday", "--json")
    assert (code, out) == (2, "")
    assert err == "error: --at: 'yesterday' is not an ISO 8601 time like 2026-12-01T20:00:00Z\n"


def test_outside_a_project_is_an_error_not_an_empty_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = _run(tmp_path, monkeypatch, "--json")
    assert (code, out) == (2, "")
    assert err.startswith("error: no Pulumi.yaml in ")


def test_runs_from_a_subdirectory_of_the_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path, {"past": '"2026-12-01T20:00:00Z"'})
    (project / "docs").mkdir()
    code, out, _ = _run(project / "docs", monkeypatch, "--at", "2026-12-02T00:00:00Z", "--json")
    assert code == 0
    assert [s["stack"] for s in json.loads(out)] == ["past"]


def test_secret_values_in_a_stack_file_do_not_stop_the_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path, {"past": '"2026-12-01T20:00:00Z"'})
    path = project / "stacks" / "Pulumi.past.yaml"
    path.write_text(
        path.read_text()
        + "  gcp:credentials:\n    secure: v1:AAAABBBB\nencryptionsalt: v1:abc:def\n"
    )
    code, out, err = _run(project, monkeypatch, "--at", "2026-12-02T00:00:00Z", "--json")
    assert code == 0, err
    assert [s["stack"] for s in json.loads(out)] == ["past"]
    assert "v1:AAAABBBB" not in out + err


def test_as_a_real_process_the_exit_code_and_streams_hold(tmp_path: Path) -> None:
    project = _project(
        tmp_path, {"broken": "next tuesday", "past": '"2026-12-01T20:00:00Z"', "none": None}
    )
    done = subprocess.run(
        [sys.executable, "-m", "klustered", "expired", "--json", "--at", "2026-12-02T00:00Z"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert json.loads(done.stdout) == [
        {"stack": "past", "expires": "2026-12-01T20:00:00Z", "file": "stacks/Pulumi.past.yaml"}
    ]
    assert "Traceback" not in done.stderr
    assert "expires: 'next tuesday' is not an ISO 8601 time" in done.stderr
