"""The exact stdin text a break's steps receive: env, quiet header, prelude, script body.

Pure: plain values in, text out. The Break component sends these texts on stdin.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from breaks.scenario import Scenario, resolve_params
from components.handles import WorkloadHandle
from components.shell import load_script, render_script

DEFAULT_VERIFY = "kb_app_ok\n"
"""The verify step when a scenario has no verify.sh and the cluster gives no goal check."""

BREAK_ID_ENV = "KLUSTERED_BREAK_ID"
STEP_ENV = "KLUSTERED_BREAK_STEP"
VERBOSE_ENV = "KLUSTERED_STEP_VERBOSE"
"""Set to 1 on the node (or in a sandbox) to see a step's own output; off on air."""

QUIET_KINDS = frozenset({"setup", "break", "solve", "invariants"})
"""Steps whose output could spoil the break: they print one line when they fail, no more."""

QUIET_HEADER = f"""\
# A failing step says which step failed and where, never what the script printed.
klustered_step_exit() {{
  local rc=$? where="${{HOSTNAME:-this node}}"
  if [ "$rc" -ne 0 ]; then
    echo "break ${BREAK_ID_ENV}: ${STEP_ENV}.sh failed (exit status $rc) on $where" >&3
  fi
}}
if [ "${{{VERBOSE_ENV}:-}}" != 1 ]; then
  exec 3>&2 >/dev/null 2>&1
  trap klustered_step_exit EXIT
fi
"""

_WANTS_GOAL = re.compile(r"\bkb_app_ok\s+v2\b")


def prelude() -> str:
    """The prelude every step starts with (kb_* and kl_* helpers)."""
    return load_script("breaks.lib", "prelude.sh")


def strip_shebang(text: str) -> str:
    """`text` without a leading `#!` line (KlusteredBench scripts have none; ours may)."""
    if text.startswith("#!"):
        _, _, rest = text.partition("\n")
        return rest
    return text


def wants_goal_version(verify: str) -> bool:
    """True for a verify that asks for v2 (KlusteredBench's `kb_app_ok v2`).

    Such a verify is red until fixers roll forward, so it cannot show a green baseline
    before the break, nor that the break bit; the cluster's goal check does that.
    """
    return bool(_WANTS_GOAL.search(verify))


def workload_env(workload: WorkloadHandle | None) -> dict[str, str]:
    """The baseline's names as the prelude and the scripts see them (KLUSTERED_APP_*, ...)."""
    w = workload or WorkloadHandle()
    return {
        "KLUSTERED_BASELINE": w.baseline,
        "KLUSTERED_APP_NAMESPACE": w.namespace,
        "KLUSTERED_APP_DEPLOYMENT": w.deployment,
        "KLUSTERED_APP_SERVICE": w.service,
        "KLUSTERED_APP_IMAGE": w.image,
        "KLUSTERED_V2_IMAGE": w.image_for("v2"),
        "KLUSTERED_DB_WORKLOAD": w.db_workload,
        "KLUSTERED_DB_SERVICE": w.db_service,
        "KB_NS": w.namespace,
        "KB_APP_PORT": str(w.node_port),
    }


def render_step(scenario: Scenario, kind: str, body: str, env: Mapping[str, str]) -> str:
    """One step's stdin text: shebang, exported env, quiet header, prelude, script body."""
    full_env = {**env, BREAK_ID_ENV: scenario.id, STEP_ENV: kind}
    quiet = QUIET_HEADER if kind in QUIET_KINDS else ""
    text = quiet + strip_shebang(prelude()) + "\n# --- " + kind + " ---\n" + strip_shebang(body)
    return render_script(text, full_env, title=f"klustered break {scenario.id}: {kind}")


def render_steps(
    scenario: Scenario,
    params: Mapping[str, object] | None = None,
    goal_check: str | None = None,
    workload: WorkloadHandle | None = None,
) -> dict[str, str]:
    """The stdin text of every step of `scenario`, keyed by kind (break, solve, verify, ...).

    Params are checked against the scenario's declaration and exported as
    KLUSTERED_PARAM_<UPPER_SNAKE> variables, next to the workload's names. Without a
    verify.sh, `verify` runs the cluster's goal check (or `kb_app_ok` when none is
    given); `goal` is always that default. Raises ScenarioError for undeclared or
    mistyped params.
    """
    env = {**workload_env(workload), **resolve_params(scenario.spec, params or {})}
    out: dict[str, str] = {}
    for kind, body in scenario.scripts.items():
        out[kind] = render_step(scenario, kind, body, env)
    out["goal"] = render_step(scenario, "goal", goal_check or DEFAULT_VERIFY, env)
    if "verify" not in out:
        out["verify"] = out["goal"]
    return out
