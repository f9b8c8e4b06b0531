"""Secret config keys under the mock engine: read through the SDK, never shown, kept secret."""

from __future__ import annotations

import base64
import json
from typing import Any

import pulumi
import pytest
from conftest import REPO

from klustered.offline import OfflineMocks, RecordingMonitor, mask_secrets
from klustered.plan import OfflineRun, run_offline
from klustered.program import main, read_stack_config

MARKER = "zq-secret-marker-7f3a"
"""A string that appears only in the secret break's scripts."""

BREAK_SH = (
    f"#!/usr/bin/env bash\n# {MARKER}\nkubectl -n default scale deployment klustered --replicas=0\n"
)
SOLVE_SH = (
    f"#!/usr/bin/env bash\n# {MARKER}\nkubectl -n default scale deployment klustered --replicas=1\n"
)


def _stack(team: dict[str, Any]) -> dict[str, str]:
    config: dict[str, Any] = {
        "klustered:machines": {"provider": "gcp", "gcp": {"project": "test-project"}},
        "klustered:teams": [team],
    }
    return {k: json.dumps(v) for k, v in config.items()}


def _secret_break(**extra: Any) -> dict[str, Any]:
    return {
        "inline": {
            "id": "our-secret-break",
            "title": "Something is off",
            "difficulty": "easy",
            "prompt": "Make the app serve v2.",
            "files": {"break.sh": BREAK_SH, "solve.sh": SOLVE_SH},
            **extra,
        }
    }


def _run(config: dict[str, str], secret_keys: list[str]) -> OfflineRun:
    return run_offline(lambda: main(base_dir=REPO), config, secret_keys)


def _plain_text(run: OfflineRun) -> str:
    """Every input of every resource as the state would show it without decryption."""
    return json.dumps([mask_secrets(r.raw_inputs) for r in run.registrations])


def test_secret_keys_are_known_to_the_program() -> None:
    config = _stack({"name": "blue"})
    seen: dict[str, Any] = {}

    def program() -> None:
        seen["stack"] = read_stack_config()

    run_offline(program, config, ["klustered:teams"])
    assert seen["stack"].secret_keys == frozenset({"klustered:teams"})
    assert seen["stack"].values["klustered:teams"] == [{"name": "blue"}]


def test_a_secret_break_is_sent_only_inside_secrets() -> None:
    run = _run(_stack({"name": "blue", "breaks": [_secret_break()]}), ["klustered:teams"])
    commands = [r for r in run.registrations if r.type == "command:remote:Command"]
    stdins = [r for r in commands if "break-our-secret-break" in r.name]
    assert stdins, "the secret break registered no command"
    fragments = {base64.b64encode(b"\0" * pad + MARKER.encode()).decode()[4:-4] for pad in range(3)}
    assert any(f in json.dumps(r.inputs) for r in stdins for f in fragments)
    assert MARKER not in _plain_text(run)


def test_an_error_in_a_secret_key_does_not_echo_its_values() -> None:
    team = {"name": "blue", "guests": [f"{MARKER}-"], "breaks": [_secret_break()]}
    monitor = RecordingMonitor(OfflineMocks())
    with pytest.raises(pulumi.RunError) as caught:
        run_offline(lambda: main(base_dir=REPO), _stack(team), ["klustered:teams"], monitor=monitor)
    message = str(caught.value)
    assert "teams[0].guests: [secret] is not a GitHub handle" in message
    assert MARKER not in message
    assert monitor.registrations == []


def test_the_same_error_in_a_plain_key_shows_the_value() -> None:
    team = {"name": "blue", "guests": [f"{MARKER}-"]}
    with pytest.raises(pulumi.RunError, match=f"'{MARKER}-' is not a GitHub handle"):
        _run(_stack(team), [])


@pytest.mark.parametrize("project", ["klustered", "game-day"])
def test_a_secret_expiry_is_exported_secret_whatever_the_project_is_called(
    project: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    exported: dict[str, Any] = {}
    monkeypatch.setattr(pulumi, "export", exported.__setitem__)
    config = {
        f"{project}:machines": json.dumps({"provider": "gcp", "gcp": {"project": "test-project"}}),
        f"{project}:teams": json.dumps([{"name": "blue"}]),
        f"{project}:expires": "2026-12-24T18:00:00Z",
    }

    def program() -> Any:
        main(base_dir=REPO)
        return pulumi.Output.from_input(exported["expires"]).is_secret()

    run = run_offline(program, config, [f"{project}:expires"], project=project)
    assert run.value is True
