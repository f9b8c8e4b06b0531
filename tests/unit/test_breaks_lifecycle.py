"""The lifecycle scripts: a break that does not bite fails, naming the break."""

from __future__ import annotations

import base64
import re
import subprocess
from pathlib import Path

import pytest

from breaks.catalog import load_break
from breaks.lifecycle import lifecycle_steps, render_expectation
from breaks.scenario import Scenario, ScenarioError, scenario_from_inline

SCENARIO = load_break("kubelet-maxpods")


def _run(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash"], input=script, capture_output=True, text=True, timeout=30, check=False
    )


def _expect(
    verify: str | list[str],
    expect: str,
    scenario: Scenario = SCENARIO,
    samples: int = 1,
    within: int = 2,
    **kwargs: object,
) -> subprocess.CompletedProcess[str]:
    script = render_expectation(
        scenario,
        verify,
        expect=expect,  # type: ignore[arg-type]
        when=kwargs.pop("when", "after the break"),  # type: ignore[arg-type]
        within_seconds=within,
        interval_seconds=0,
        samples=samples,
        **kwargs,  # type: ignore[arg-type]
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
    assert 'base64 -d <<<"$e" | bash -s' in body
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


def _counter_verify(tmp_path: Path, pattern: str) -> str:
    """A verify whose n-th run exits with pattern[n] (0 green, 1 red); the last repeats."""
    n = tmp_path / "n"
    return (
        "#!/usr/bin/env bash\n"
        f"i=$(cat {n} 2>/dev/null || echo 0); echo $((i + 1)) >{n}\n"
        f"p={pattern}; c=${{p:i:1}}; c=${{c:-${{p: -1}}}}\n"
        '[ "$c" = 0 ]\n'
    )


def test_red_needs_several_red_samples_in_a_row(tmp_path: Path) -> None:
    # red, green (a flap), then red for good: only the last three count.
    done = _expect(_counter_verify(tmp_path, "10111"), "red", samples=3, within=30)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "n").read_text().strip() == "5"
    assert "3 samples in a row" in done.stdout


def test_green_needs_several_green_samples_in_a_row(tmp_path: Path) -> None:
    done = _expect(_counter_verify(tmp_path, "0100"), "green", samples=2, within=30)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "n").read_text().strip() == "4"


def _flapping_verify(tmp_path: Path) -> str:
    """A verify that is red on its odd runs (the first) and green on its even runs, forever."""
    n = tmp_path / "n"
    return (
        "#!/usr/bin/env bash\n"
        f"i=$(cat {n} 2>/dev/null || echo 0); echo $((i + 1)) >{n}\n"
        "[ $((i % 2)) = 1 ]\n"
    )


def test_a_verify_that_keeps_flapping_never_settles(tmp_path: Path) -> None:
    # It flaps for as long as it is sampled, however many samples fit before the deadline
    # (a verify that stopped flapping after a fixed count would settle red on a fast machine).
    done = _expect(_flapping_verify(tmp_path), "red", samples=2, within=1)
    assert done.returncode == 1
    assert "did not bite" in done.stderr
    assert "as expected" not in done.stdout
    runs = int((tmp_path / "n").read_text())
    # Red first, so the deadline is first looked at after a red and a green; it ends on the
    # first green sample past the deadline (a red one may still start a streak).
    assert runs >= 2 and runs % 2 == 0, runs


def test_green_needs_every_verify_green() -> None:
    green, red = "exit 0\n", "echo 'goal not met: the API refuses writes' >&2; exit 1\n"
    assert _expect([green, green], "green").returncode == 0
    done = _expect([green, red], "green", when="before the break", show_reason=True)
    assert done.returncode == 1
    assert done.stderr.strip().endswith("before the break: goal not met: the API refuses writes")
    assert _expect([green, red], "red").returncode == 0


def test_reasons_are_never_shown_after_the_break() -> None:
    red = "echo 'maxPods is 3' >&2; exit 1\n"
    done = _expect(red, "green", when="after the solve")
    assert done.returncode == 1
    assert "maxPods" not in done.stderr


def _scenario(verify: str | None) -> Scenario:
    files = {"break.sh": "true\n", "solve.sh": "true\n"}
    if verify is not None:
        files["verify.sh"] = verify
    return scenario_from_inline(
        {"id": "demo", "title": "Demo", "difficulty": "easy", "prompt": "Serve v2.",
         "files": files}
    )  # fmt: skip


def _verifies(step: str) -> list[str]:
    match = re.search(r"^export VERIFY_SCRIPTS_B64=(?:'([^']*)'|(\S+))", step, re.MULTILINE)
    assert match is not None
    encoded = match.group(1) or match.group(2)
    return [base64.b64decode(e).decode() for e in encoded.split("\n") if e]


def test_before_the_break_the_goal_and_the_own_verify_must_be_green() -> None:
    steps = {s.name: s for s in lifecycle_steps(_scenario("own-check\n"), {}, "GOAL\n")}
    before = _verifies(steps["10-verify-before"].script)
    assert [v.rstrip().splitlines()[-1] for v in before] == ["GOAL", "own-check"]
    bite = _verifies(steps["70-verify-red"].script)
    assert [v.rstrip().splitlines()[-1] for v in bite] == ["own-check"]


def test_a_verify_that_wants_v2_is_not_sampled_before_the_break_nor_for_the_bite() -> None:
    scenario = _scenario("kb_app_ok v2\n")
    steps = {s.name: s for s in lifecycle_steps(scenario, {}, "GOAL\n", rehearse=True)}
    tails = {
        name: [v.rstrip().splitlines()[-1] for v in _verifies(step.script)]
        for name, step in steps.items()
        if "verify" in name
    }
    assert tails == {
        "10-verify-before": ["GOAL"],
        "30-rehearse-verify-red": ["GOAL"],
        "50-rehearse-verify-green": ["kb_app_ok v2"],
        "70-verify-red": ["GOAL"],
    }


def test_without_verify_sh_every_expectation_samples_the_goal_check() -> None:
    steps = lifecycle_steps(_scenario(None), {}, "GOAL\n", rehearse=True)
    for step in steps:
        if "verify" in step.name:
            assert [v.rstrip().splitlines()[-1] for v in _verifies(step.script)] == ["GOAL"]
