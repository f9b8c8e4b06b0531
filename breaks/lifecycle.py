"""The KlusteredBench lifecycle as the scripts a break's commands run, in order.

verify green before, break, verify red after (a break that does not bite fails); with a
rehearsal: solve, verify green, break again, verify red. Every break step runs under the
access guard and is followed by the host's access check (`breaks.access_guard`), and so
is every solve. Pure: text in, text out.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Literal

from breaks.access_guard import with_access_guard
from breaks.render import render_steps
from breaks.scenario import Scenario
from components.shell import load_script, render_script

BITE_WITHIN_SECONDS = 300
"""How long a break has to turn verify red."""
HEAL_WITHIN_SECONDS = 600
"""How long verify has to turn green (before a break, after a solve)."""
INTERVAL_SECONDS = 10


@dataclass(frozen=True)
class Step:
    """One command of a break's lifecycle: where it runs and the script it sends."""

    name: str
    """Resource-name suffix and plan file stem, e.g. `10-verify-before`."""
    on: Literal["targets", "control-plane-1"]
    """Every target node, or control-plane-1 (verify needs the admin kubeconfig)."""
    script: str
    reverts: bool = False
    """True for the break step whose solve runs when the break is destroyed."""


def render_expectation(
    scenario: Scenario,
    verify: str,
    *,
    expect: Literal["green", "red"],
    when: str,
    within_seconds: int,
    interval_seconds: int = INTERVAL_SECONDS,
) -> str:
    """A script that re-runs `verify` until it is `expect`, failing with the break's name."""
    return render_script(
        load_script("breaks.lib", "expect.sh"),
        {
            "VERIFY_SCRIPT_B64": base64.b64encode(verify.encode()).decode(),
            "EXPECT": expect,
            "BREAK_ID": scenario.id,
            "WHEN": when,
            "WITHIN_SECONDS": str(within_seconds),
            "INTERVAL_SECONDS": str(interval_seconds),
        },
        title=f"klustered break {scenario.id}: expect {expect} {when}",
    )


def lifecycle_steps(
    scenario: Scenario,
    params: dict[str, object] | None,
    default_verify: str,
    *,
    rehearse: bool = False,
    bite_within: int = BITE_WITHIN_SECONDS,
    heal_within: int = HEAL_WITHIN_SECONDS,
) -> list[Step]:
    """The commands that apply `scenario`, in order; `default_verify` serves when it has none.

    Raises ScenarioError for params that do not match the scenario's declaration.
    """
    steps = render_steps(scenario, params, goal_check=default_verify)
    verify = steps["verify"]

    def expect(kind: Literal["green", "red"], when: str) -> str:
        within = bite_within if kind == "red" else heal_within
        return render_expectation(scenario, verify, expect=kind, when=when, within_seconds=within)

    out: list[Step] = []
    if "setup" in steps:
        out.append(Step("05-setup", "control-plane-1", steps["setup"]))
    out.append(Step("10-verify-before", "control-plane-1", expect("green", "before the break")))
    if rehearse:
        out += [
            Step("20-rehearse-break", "targets", steps["break"]),
            Step("30-rehearse-verify-red", "control-plane-1", expect("red", "after the break")),
            Step("40-rehearse-solve", "targets", steps["solve"]),
            Step("50-rehearse-verify-green", "control-plane-1", expect("green", "after the solve")),
        ]
        if "invariants" in steps:
            out.append(Step("55-rehearse-invariants", "control-plane-1", steps["invariants"]))
    out += [
        Step("60-break", "targets", steps["break"], reverts=True),
        Step("70-verify-red", "control-plane-1", expect("red", "after the break")),
    ]
    # Access: every break step guarded, the host's SSH check after each break and solve.
    return with_access_guard(scenario, out, steps["solve"])
