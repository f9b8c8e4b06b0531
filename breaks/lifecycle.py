"""The KlusteredBench lifecycle as the scripts a break's commands run, in order.

verify green before, break, verify red after (a break that does not bite fails); with a
rehearsal: solve, verify green, break again, verify red. Green and red each need
SAMPLES consecutive samples. Every break step runs under the access guard and is
followed by the host's access check (`breaks.access_guard`), and so is every solve.
Pure: text in, text out.

Which verify each expectation samples:
- before the break: the cluster's goal check for the deployed version, and the
  scenario's verify.sh too unless it asks for v2 (KlusteredBench's `kb_app_ok v2` is red
  until fixers roll forward);
- after the break (red): the scenario's verify.sh, or the goal check when there is none
  or it asks for v2;
- after a solve (green): as before the break, or only the verify.sh that asks for v2 (a
  KlusteredBench level's solve rolls forward).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from breaks.access_guard import with_access_guard
from breaks.render import render_steps, wants_goal_version
from breaks.scenario import Scenario, ScenarioError
from components.handles import WorkloadHandle
from components.shell import load_script, render_script

BITE_WITHIN_SECONDS = 300
"""How long a break has to turn verify red."""
HEAL_WITHIN_SECONDS = 600
"""How long verify has to turn green (before a break, after a solve)."""
INTERVAL_SECONDS = 10
SAMPLES = 3
"""Consecutive samples of one colour that settle an expectation."""


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
    verify: str | Sequence[str],
    *,
    expect: Literal["green", "red"],
    when: str,
    within_seconds: int,
    interval_seconds: int = INTERVAL_SECONDS,
    samples: int = SAMPLES,
    show_reason: bool = False,
) -> str:
    """A script that samples `verify` (all must pass for green) until it is `expect`
    `samples` times in a row, failing with the break's name when time runs out."""
    verifies = [verify] if isinstance(verify, str) else list(verify)
    if not verifies:
        raise ValueError("an expectation needs at least one verify script")
    if samples < 1:
        raise ValueError("samples must be >= 1")
    return render_script(
        load_script("breaks.lib", "expect.sh"),
        {
            "VERIFY_SCRIPTS_B64": "\n".join(
                base64.b64encode(v.encode()).decode() for v in verifies
            ),
            "EXPECT": expect,
            "BREAK_ID": scenario.id,
            "WHEN": when,
            "WITHIN_SECONDS": str(within_seconds),
            "INTERVAL_SECONDS": str(interval_seconds),
            "SAMPLES": str(samples),
            "SHOW_REASON": "true" if show_reason else "false",
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
    workload: WorkloadHandle | None = None,
    after_other_breaks: bool = False,
) -> list[Step]:
    """The commands that apply `scenario`, in order; `default_verify` is the cluster's goal
    check for the deployed version (see the module doc for which verify each step samples).

    `after_other_breaks`: the team's earlier breaks have bitten already, so the cluster
    is not green: no verify before, and the bite is sampled from the scenario's own
    verify.sh only (without one, the goal check is red already and proves nothing).

    Raises ScenarioError for params that do not match the scenario's declaration.
    """
    steps = render_steps(scenario, params, goal_check=default_verify, workload=workload)
    goal = steps["goal"]
    own = steps["verify"] if "verify" in scenario.scripts else None
    own_usable = own is not None and not wants_goal_version(scenario.scripts["verify"])
    before = [goal, own] if own is not None and own_usable else [goal]
    bite = own if own is not None and own_usable else goal
    heal = own if own is not None and not own_usable else before

    def expect(verify: list[str] | str, kind: Literal["green", "red"], when: str) -> str:
        within = bite_within if kind == "red" else heal_within
        return render_expectation(
            scenario,
            verify,
            expect=kind,
            when=when,
            within_seconds=within,
            show_reason=when == "before the break",
        )

    out: list[Step] = []
    if "setup" in steps:
        out.append(Step("05-setup", "control-plane-1", steps["setup"]))
    if after_other_breaks:
        if rehearse:
            raise ScenarioError(scenario.id, ["a break after other breaks cannot be rehearsed"])
        out.append(Step("60-break", "targets", steps["break"], reverts=True))
        if own is not None and own_usable:
            out.append(
                Step("70-verify-red", "control-plane-1", expect(own, "red", "after the break"))
            )
        return with_access_guard(scenario, out, steps["solve"])
    out.append(
        Step("10-verify-before", "control-plane-1", expect(before, "green", "before the break"))
    )
    if rehearse:
        out += [
            Step("20-rehearse-break", "targets", steps["break"]),
            Step(
                "30-rehearse-verify-red", "control-plane-1", expect(bite, "red", "after the break")
            ),
            Step("40-rehearse-solve", "targets", steps["solve"]),
            Step(
                "50-rehearse-verify-green",
                "control-plane-1",
                expect(heal, "green", "after the solve"),
            ),
        ]
        if "invariants" in steps:
            out.append(Step("55-rehearse-invariants", "control-plane-1", steps["invariants"]))
    out += [
        Step("60-break", "targets", steps["break"], reverts=True),
        Step("70-verify-red", "control-plane-1", expect(bite, "red", "after the break")),
    ]
    # Access: every break step guarded, the host's SSH check after each break and solve.
    return with_access_guard(scenario, out, steps["solve"])
