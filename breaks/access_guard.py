"""The break lifecycle's access check: what a static reading cannot prove, the node does.

Every break step runs under an access guard (`lib/access-guard.sh`): the node records
its access facts (SSH and Teleport active, port 22 listening, a default route), keeps the
rendered solve in a root-only directory with a timer that runs it, runs the step with its
output in a root-only log, and fails at once, solved, when a fact was lost. The step after
it is the host's check (`lib/access-check.sh`) over a new SSH connection: reaching the
node is the proof, and it disarms the guard. If the host cannot get back in, the check
fails `pulumi up` and the timer solves the break. The same check follows every solve.
Pure: plain values in, text out.
"""

from __future__ import annotations

import base64
from dataclasses import replace
from typing import TYPE_CHECKING

from components.shell import load_script, render_script

if TYPE_CHECKING:
    from breaks.lifecycle import Step
    from breaks.scenario import Scenario

GUARD_SECONDS = 600
"""How long a guard waits for the host's check before it runs the solve by itself: the
check on a node waits for the break step on every target, so this covers the slowest."""


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _with_library(body: str) -> str:
    library = load_script("breaks.lib", "access-state.sh").split("\n", 1)[1]
    head, _, rest = body.partition("\n")
    return f"{head}\n{library}\n{rest}"


def guarded_step(
    scenario: Scenario,
    step_name: str,
    script: str,
    solve: str,
    *,
    guard_seconds: int = GUARD_SECONDS,
) -> str:
    """`script` (a rendered break step) wrapped in the access guard, `solve` at the ready."""
    return render_script(
        _with_library(load_script("breaks.lib", "access-guard.sh")),
        {
            "GUARD_ID": scenario.id,
            "GUARD_SECONDS": str(guard_seconds),
            "STEP_NAME": step_name,
            "STEP_B64": _b64(script),
            "SOLVE_B64": _b64(solve),
        },
        title=f"klustered break {scenario.id}: {step_name}, under the access guard",
    )


def access_check(scenario: Scenario, when: str) -> str:
    """The host's check over a new SSH connection: access intact, guard disarmed."""
    return render_script(
        _with_library(load_script("breaks.lib", "access-check.sh")),
        {"GUARD_ID": scenario.id, "WHEN": when},
        title=f"klustered break {scenario.id}: access check {when}",
    )


def with_access_guard(scenario: Scenario, steps: list[Step], solve: str) -> list[Step]:
    """The lifecycle with every break step guarded and an access check after it and after
    every solve step (on the same nodes)."""
    out: list[Step] = []
    for step in steps:
        kind = step.name.split("-", 1)[1]
        if step.on == "targets" and kind.endswith("break"):
            out.append(replace(step, script=guarded_step(scenario, step.name, step.script, solve)))
        else:
            out.append(step)
        if step.on == "targets" and (kind.endswith("break") or kind.endswith("solve")):
            when = "after the " + kind.replace("rehearse-", "rehearsed ")
            number = int(step.name.split("-", 1)[0]) + 5
            prefix = "rehearse-" if kind.startswith("rehearse-") else ""
            suffix = "-solved" if kind.endswith("solve") else ""
            name = f"{number:02d}-{prefix}access-check{suffix}"
            out.append(replace(step, name=name, script=access_check(scenario, when), reverts=False))
    return out
