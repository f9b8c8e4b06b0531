"""No secret on any error path: pulumi-command prints the command string (and the output)
of a command that fails, whatever `logging` says. So no command string may hold a secret,
and a failing phase or break step must leave none in the error.

The secrets are the ones the mock engine hands out (private keys, the bootstrap token,
the certificate key, random bytes) plus a secret break's scripts, marked.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Iterator
from typing import Any

import pulumi
import pytest
from conftest import REPO, episode_program

from klustered.offline import OfflineMocks, RecordingMonitor
from klustered.plan import OfflineRun, run_offline
from klustered.stackfile import load_stack_file

COMMAND = "command:remote:Command"
MARKER = "zq-secret-solve-5b1d"
SECRET_TYPES = ("tls:index/privateKey:PrivateKey", "random:index/random")
SECRET_OUTPUTS = ("privateKeyPem", "privateKeyOpenssh", "privateKeyPemPkcs8", "result", "hex",
                  "base64", "b64Std", "b64Url")  # fmt: skip

SECRET_BREAK = {
    "inline": {
        "id": "our-secret-break",
        "title": "Something is off",
        "difficulty": "easy",
        "secret": True,
        "prompt": "Make the app serve v2.",
        "files": {
            "break.sh": f"#!/usr/bin/env bash\n# {MARKER}\nkubectl -n default get pods\n",
            "solve.sh": f"#!/usr/bin/env bash\n# {MARKER}\nkubectl -n default get svc\n",
        },
    }
}


def _stack(example_stack: dict[str, Any]) -> dict[str, Any]:
    stack = copy.deepcopy(example_stack)
    stack["klustered:teams"][0]["breaks"].append(SECRET_BREAK)
    return stack


def _config(stack: dict[str, Any]) -> dict[str, str]:
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in stack.items()}


def b64_fragments(text: str) -> set[str]:
    """What `text` looks like inside any base64 blob, whatever its offset there."""
    out = set()
    for pad in range(3):
        encoded = base64.b64encode(b"\0" * pad + text.encode()).decode()
        out.add(encoded[4 : len(encoded) - 4])
    return out


def secret_values(run: OfflineRun) -> set[str]:
    """Every secret the run produced, as it could appear inside a longer text."""
    found: set[str] = {MARKER, *b64_fragments(MARKER)}
    for reg in run.registrations:
        if not reg.type.startswith(SECRET_TYPES):
            continue
        for key in SECRET_OUTPUTS:
            value = reg.outputs.get(key)
            if not isinstance(value, str) or len(value) < 8:
                continue
            found.add(value)
            found.add(base64.b64encode(value.encode()).decode())
            # A PEM key's body lines, any of which would give part of the key away.
            found |= {
                line for line in value.splitlines() if len(line) >= 24 and "-----" not in line
            }
    return found


def command_strings(run: OfflineRun) -> Iterator[tuple[str, str, str]]:
    """(resource, field, text) for every command string pulumi-command could print."""
    for reg in run.registrations:
        if reg.type != COMMAND:
            continue
        for field in ("create", "update", "delete"):
            text = reg.inputs.get(field)
            if isinstance(text, str):
                yield reg.name, field, text


@pytest.fixture(scope="module")
def run() -> OfflineRun:
    example = dict(load_stack_file("episode-42", cwd=REPO).config)
    return run_offline(episode_program, _config(_stack(example)), ["klustered:teams"])


def test_the_run_has_secrets_to_look_for(run: OfflineRun) -> None:
    # The walk below means something only if the secrets are really in the run.
    assert len(secret_values(run)) > 20
    stdins = [json.dumps(r.inputs.get("stdin", "")) for r in run.registrations if r.type == COMMAND]
    assert any(any(f in text for f in b64_fragments(MARKER)) for text in stdins)


def test_no_command_string_holds_a_secret(run: OfflineRun) -> None:
    secrets = secret_values(run)
    strings = list(command_strings(run))
    assert len(strings) > 50
    leaks = [(name, field) for name, field, text in strings for secret in secrets if secret in text]
    assert leaks == []


def test_a_break_solve_key_reaches_the_delete_through_the_environment(run: OfflineRun) -> None:
    [stage] = [
        r
        for r in run.registrations
        if r.name.endswith("our-secret-break-59-stage-solve-blue-control-plane-1")
    ]
    key = stage.inputs["environment"]["LC_KLUSTERED_SOLVE_KEY"]
    assert key in secret_values(run)
    assert key not in stage.inputs["delete"]
    assert "environment" in stage.secret_inputs


class FailingMocks(OfflineMocks):
    """Fail some commands the way pulumi-command does: the command string in the error."""

    def __init__(self, failing: tuple[str, ...]) -> None:
        self.failing = failing
        self.failed: list[str] = []

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[Any, Any]]:
        if args.typ == COMMAND and args.name.endswith(self.failing):
            from klustered.offline import unwrap_secrets

            create = unwrap_secrets(args.inputs).get("create", "")
            self.failed.append(args.name)
            raise Exception(f"Process exited with status 1: running {create!r}:\n")
        return super().new_resource(args)


@pytest.mark.parametrize(
    "failing",
    [
        ("-control-plane-1-50-kubeadm-init",),
        ("-worker-1-50-kubeadm-join",),
        ("-our-secret-break-60-break-blue-control-plane-1",),
        ("-42-mesh",),
    ],
    ids=["kubeadm-init", "kubeadm-join", "secret-break-step", "mesh-phase"],
)
def test_a_failing_phase_or_break_step_leaves_no_secret_in_the_error(
    example_stack: dict[str, Any], failing: tuple[str, ...]
) -> None:
    mocks = FailingMocks(failing)
    monitor = RecordingMonitor(mocks)
    with pytest.raises(Exception) as caught:
        run_offline(
            episode_program, _config(_stack(example_stack)), ["klustered:teams"], monitor=monitor
        )
    assert mocks.failed, f"no command ends with {failing}"
    everything = OfflineRun(monitor.registrations, None)
    message = str(caught.value)
    assert "Process exited with status 1" in message
    assert [s for s in secret_values(everything) if s in message] == []
