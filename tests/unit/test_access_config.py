"""`klustered:access`: what validates, what is refused (naming the field), what warns, and
that the GitHub client secret never shows up in a message."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from klustered.config import check_stack_config
from klustered.config.access import DEFAULT_TELEPORT_VERSION
from tests.access_fixtures import access_stack

SECRET = "gh-oauth-secret-5f1c0d9e"


def _raw(config: dict[str, Any]) -> dict[str, Any]:
    return dict(config)


def test_a_complete_access_section_validates_with_defaults() -> None:
    result = check_stack_config(_raw(access_stack()), stack="ep42")
    assert result.errors == [] and result.warnings == []
    assert result.config is not None
    teleport = result.config.access.teleport
    assert teleport is not None
    assert teleport.version == DEFAULT_TELEPORT_VERSION
    assert teleport.session_joining is False
    assert teleport.hosts == ["rawkode"]


def test_guests_without_access_warn_and_the_stack_still_validates() -> None:
    config = access_stack()
    del config["klustered:access"]
    result = check_stack_config(_raw(config), stack="ep42")
    assert result.errors == []
    assert [(w.path, w.message) for w in result.warnings] == [
        (
            "teams[0].guests",
            "2 guest(s) listed but klustered:access.teleport is not set: they get no way into "
            "the cluster",
        ),
        (
            "teams[1].guests",
            "1 guest(s) listed but klustered:access.teleport is not set: they get no way into "
            "the cluster",
        ),
    ]


def test_validate_prints_the_guest_warning_and_exits_zero(tmp_path: Path) -> None:
    config = access_stack()
    del config["klustered:access"]
    stack = tmp_path / "Pulumi.ep42.yaml"
    stack.write_text(json.dumps({"config": config}))
    done = subprocess.run(
        [sys.executable, "-m", "klustered", "validate", str(stack)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "warning: teams[0].guests: 2 guest(s) listed but klustered:access" in done.stderr


@pytest.mark.parametrize(
    "secret",
    [12345, ["a", SECRET], "", f"{SECRET} with spaces", f"{SECRET}\u00e9"],
    ids=["number", "list", "empty", "whitespace", "non-ascii"],
)
def test_a_bad_client_secret_is_refused_without_showing_it(secret: Any) -> None:
    result = check_stack_config(_raw(access_stack(githubClientSecret=secret)), stack="ep42")
    assert [e.path for e in result.errors] == ["access.teleport.githubClientSecret"]
    shown = " ".join(str(e) for e in result.errors)
    assert SECRET not in shown and "12345" not in shown


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"githubOrg": "klustered_live"}, "access.teleport.githubOrg", "is not a GitHub name"),
        ({"hosts": ["ok", "-bad"]}, "access.teleport.hosts", "'-bad' is not a GitHub name"),
        ({"hosts": ["Rawkode", "rawkode"]}, "access.teleport.hosts", "listed more than once"),
        ({"acmeEmail": "ops"}, "access.teleport.acmeEmail", "is not an email address"),
        ({"version": "18.8"}, "access.teleport.version", "is not a Teleport release"),
        ({"githubClientId": "Iv1 0123"}, "access.teleport.githubClientId", "is not a GitHub"),
        ({"sessionJoining": "maybe"}, "access.teleport.sessionJoining", "is not true or false"),
        ({"teleprot": {}}, "access.teleport.teleprot", "unknown key"),
    ],
)
def test_bad_access_fields_are_refused_naming_the_field(
    change: dict[str, Any], field: str, message: str
) -> None:
    result = check_stack_config(_raw(access_stack(**change)), stack="ep42")
    assert [e.path for e in result.errors] == [field]
    assert message in result.errors[0].message


def test_a_team_named_teleport_is_refused_while_access_is_on() -> None:
    config = access_stack()
    config["klustered:teams"][1]["name"] = "teleport"
    result = check_stack_config(_raw(config), stack="ep42")
    assert [e.path for e in result.errors] == ["teams[1].name"]
    assert "reserved while access is on" in result.errors[0].message


def test_a_stack_name_too_long_for_the_teleport_machine_is_refused() -> None:
    result = check_stack_config(_raw(access_stack()), stack="e" * 60)
    assert [e.path for e in result.errors] == ["access.teleport"]
    assert "longer than 63 characters" in result.errors[0].message


def test_the_teleport_machine_may_sit_on_another_substrate() -> None:
    config = access_stack(machine={"provider": "equinix-metal"})
    result = check_stack_config(_raw(config), stack="ep42")
    assert [e.path for e in result.errors] == ["access.teleport.machine.equinixMetal.project"]
    config = access_stack(
        machine={
            "provider": "equinix-metal",
            "equinixMetal": {"project": "00000000-0000-4000-8000-000000000001"},
        }
    )
    assert check_stack_config(_raw(config), stack="ep42").errors == []
