"""The exact stdin text a break's steps receive: prelude, exported params, script body.

Pure: plain values in, text out. The Break component sends these texts on stdin.
"""

from __future__ import annotations

from collections.abc import Mapping

from breaks.scenario import Scenario, resolve_params
from components.shell import load_script, render_script

DEFAULT_VERIFY = "kb_app_ok\n"
"""The verify step when a scenario has no verify.sh and the cluster gives no goal check."""

BREAK_ID_ENV = "KLUSTERED_BREAK_ID"
STEP_ENV = "KLUSTERED_BREAK_STEP"


def prelude() -> str:
    """The prelude every step starts with (kb_* and kl_* helpers)."""
    return load_script("breaks.lib", "prelude.sh")


def strip_shebang(text: str) -> str:
    """`text` without a leading `#!` line (KlusteredBench scripts have none; ours may)."""
    if text.startswith("#!"):
        _, _, rest = text.partition("\n")
        return rest
    return text


def render_step(scenario: Scenario, kind: str, body: str, env: Mapping[str, str]) -> str:
    """One step's stdin text: shebang, exported env, prelude, then the script body."""
    full_env = {**env, BREAK_ID_ENV: scenario.id, STEP_ENV: kind}
    text = strip_shebang(prelude()) + "\n# --- " + kind + " ---\n" + strip_shebang(body)
    return render_script(text, full_env, title=f"klustered break {scenario.id}: {kind}")


def render_steps(
    scenario: Scenario,
    params: Mapping[str, object] | None = None,
    goal_check: str | None = None,
) -> dict[str, str]:
    """The stdin text of every step of `scenario`, keyed by kind (break, solve, verify, ...).

    Params are checked against the scenario's declaration and exported as
    KLUSTERED_PARAM_<UPPER_SNAKE> variables. Without a verify.sh, `verify` runs the
    cluster's goal check (or `kb_app_ok` when none is given). Raises ScenarioError
    for undeclared or mistyped params.
    """
    env = resolve_params(scenario.spec, params or {})
    out: dict[str, str] = {}
    for kind, body in scenario.scripts.items():
        out[kind] = render_step(scenario, kind, body, env)
    if "verify" not in out:
        out["verify"] = render_step(scenario, "verify", goal_check or DEFAULT_VERIFY, env)
    return out
