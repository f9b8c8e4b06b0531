"""The lifecycle scripts: a break that does not bite fails, naming the break."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from breaks.catalog import load_break
from breaks.lifecycle import lifecycle_steps, render_expectation
from breaks.scenario import Scenario, ScenarioError

SCENARIO = load_break("kubelet-maxpods")


def _run(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash"], input=script, capture_output=True, text=True, timeout=30, check=False
    )


def _expect(
    verify: str, expect: str, scenario: Scenario = SCENARIO
) -> subprocess.CompletedProcess[str]:
    script = render_expectation(
        scenario,
        verify,
        expect=expect,
        when="after the break",
        within_seconds=2,
        interval_seconds=1,
    )
    return _run(script)


def test_a_break_that_does_not_bite_fails_with_its_name() -> None:
    done = _expect("#!/usr/bin/env bash\nexit 0\n", "red")
    assert done.returncode == 1
    assert "break kubelet-maxpods did not bite" in done.stderr


def test_a_break_that_bites_passes() -> None:
    done = _expect("#!/usr/bin/env bash\nexit 3\n", "red")
    assert done.returncode == 0, done.stderr


def test_verify_that_turns_green_in_time_passes(tmp_path: Path) -> None:
    flag = tmp_path / "healed"
    verify = f"#!/usr/bin/env bash\nif [ -e {flag} ]; then exit 0; fi\ntouch {flag}\nexit 1\n"
    done = _expect(verify, "green")
    assert done.returncode == 0, done.stderr
    assert flag.exists()


def test_verify_that_stays_red_fails_the_green_expectation() -> None:
    done = _expect("#!/usr/bin/env bash\nexit 1\n", "green")
    assert done.returncode == 1
    assert "verify is not green" in done.stderr


def test_verify_text_never_reaches_a_command_line() -> None:
    script = render_expectation(
        SCENARIO, "echo secret-marker", expect="red", when="x", within_seconds=1
    )
    body = script.split("\n", 1)[1]
    assert 'bash <<<"$verify"' in body
    assert "secret-marker" not in body  # carried base64, decoded at run time
    assert "bash -c" not in body


def test_lifecycle_without_rehearsal_verifies_breaks_and_verifies() -> None:
    steps = lifecycle_steps(SCENARIO, {"maxPods": 1}, "exit 0\n")
    assert [(s.name, s.on, s.reverts) for s in steps] == [
        ("10-verify-before", "control-plane-1", False),
        ("60-break", "targets", True),
        ("65-access-check", "targets", False),
        ("70-verify-red", "control-plane-1", False),
    ]


def test_lifecycle_refuses_undeclared_params() -> None:
    with pytest.raises(ScenarioError, match="maxpod"):
        lifecycle_steps(SCENARIO, {"maxpod": 1}, "exit 0\n")
