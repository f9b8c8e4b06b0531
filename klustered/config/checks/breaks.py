"""Rules on each team's breaks: source, params, targets, the break lint rules, and a
warning for scripts naming objects the team's workload baseline does not have."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from breaks.baseline import baseline_mismatches
from breaks.catalog import catalog_ids, resolve_scenario
from breaks.lint import Violation, lint_directory, lint_scenario
from breaks.scenario import Scenario, ScenarioError, resolve_params
from breaks.sources import inside
from breaks.targets import TargetError, resolve_targets
from components.nodes import NodeSlot, node_slots
from klustered.config.checks.base import CheckContext, rule
from klustered.config.errors import SECRET_SHOWN, ConfigError, ConfigWarning, show, show_key
from klustered.config.secrets import SECRET_PLACEHOLDER
from klustered.config.teams import BreakRef


@rule("teams")
def break_refs(ctx: CheckContext) -> list[ConfigError]:
    """Every break a team applies loads, takes its params, hits real nodes and lints clean."""
    known_ids = catalog_ids()
    errors: list[ConfigError] = []
    for where, team in ctx.teams:
        slots = node_slots(team.name, team.control_planes, team.workers)
        seen: dict[str, int] = {}
        for j, ref in enumerate(team.breaks):
            errors += _break_errors(f"{where}.breaks[{j}]", ref, slots, ctx, known_ids)
            label = ref.label
            if label in seen:
                errors.append(
                    ConfigError(
                        f"{where}.breaks[{j}]",
                        f"{show(label)} is already applied as breaks[{seen[label]}]",
                    )
                )
            seen.setdefault(label, j)
            if j > 0 and ref.rehearse:
                errors.append(
                    ConfigError(
                        f"{where}.breaks[{j}].rehearse",
                        "only a team's first break can be rehearsed (the ones after it run "
                        "on a cluster that is broken already)",
                    )
                )
    return errors


def _break_errors(
    where: str,
    ref: BreakRef,
    slots: list[NodeSlot],
    ctx: CheckContext,
    known_ids: frozenset[str],
) -> list[ConfigError]:
    """A break entry checked with the break loader: source, params, targets and lint rules."""
    base_dir = ctx.base_dir
    if ref.id is not None and ref.id not in known_ids:
        empty = " (the catalog is empty)" if not known_ids else ""
        return [ConfigError(f"{where}.id", f"{show(ref.id)} is not in the break catalog{empty}")]
    if ref.path is not None:
        directory = base_dir / ref.path
        if not inside(directory, base_dir):
            return [
                ConfigError(
                    f"{where}.path",
                    f"{show(ref.path)} resolves to {show(str(directory.resolve()))}, outside "
                    f"the project directory {show(str(base_dir))}",
                )
            ]
        if not (directory / "scenario.yaml").is_file():
            return [
                ConfigError(
                    f"{where}.path",
                    f"{show(ref.path)} is not a scenario directory (no scenario.yaml under "
                    f"{show(str(directory.resolve()))})",
                )
            ]
    source = "id" if ref.id is not None else "path" if ref.path is not None else "inline"
    try:
        scenario = resolve_scenario(id=ref.id, path=ref.path, inline=ref.inline, base_dir=base_dir)
    except ScenarioError as exc:
        return [ConfigError(f"{where}.{source}", _quiet("; ".join(exc.problems)))]
    errors: list[ConfigError] = []
    try:
        resolve_params(scenario.spec, ref.params)
    except ScenarioError as exc:
        errors += [
            ConfigError(f"{where}.params", _quiet(p.removeprefix("params."))) for p in exc.problems
        ]
    try:
        resolve_targets(ref.targets or scenario.targets, slots)
    except TargetError as exc:
        nodes = ", ".join(slot.name for slot in slots)
        errors.append(ConfigError(f"{where}.targets", f"{_quiet(str(exc))} (nodes: {nodes})"))
    if ref.path is not None:
        violations = lint_directory(base_dir / ref.path, base_dir)
    elif ref.inline is not None:
        unreadable = frozenset(k for k, v in scenario.scripts.items() if v == SECRET_PLACEHOLDER)
        violations = lint_scenario(scenario, unreadable)
        errors += _inline_rules(where, ref.inline, scenario, unreadable, ctx)
    else:
        violations = []
    errors += [ConfigError(f"{where}.{source}", _violation(v)) for v in violations]
    return errors


def _violation(v: Violation) -> str:
    """A lint violation as a message; a secret break's own text shows as [secret]."""
    return v.without_excerpt() + (f": {show(v.excerpt)}" if v.excerpt else "")


def _quiet(text: str) -> str:
    """`text` with quoted values hidden when the break comes from a secret key."""
    if show("") != SECRET_SHOWN:
        return text
    return re.sub(r"'[^']*'|\"[^\"]*\"", SECRET_SHOWN, text)


def _inline_rules(
    where: str,
    inline: Mapping[str, Any],
    scenario: Scenario,
    unreadable: frozenset[str],
    ctx: CheckContext,
) -> list[ConfigError]:
    """An inline break: the ASCII rule in every field, and `secret: true` really secret."""
    errors: list[ConfigError] = []
    if scenario.spec.unicode is None:
        for path, text in _strings(inline, f"{where}.inline"):
            if path.startswith(f"{where}.inline.files."):
                continue  # scripts: lint reports them with their line
            bad = next((c for c in text if ord(c) > 127), None)
            if bad is not None:
                errors.append(
                    ConfigError(
                        path,
                        f"{show(text)} contains non-ASCII U+{ord(bad):04X}; declare "
                        "`unicode: {reason: ...}` if it is on purpose",
                    )
                )
    plain = [kind for kind in scenario.scripts if kind not in unreadable]
    if scenario.spec.secret and plain and (unreadable or "teams" not in ctx.secret):
        names = ", ".join(scenario.files[k] for k in plain)
        errors.append(
            ConfigError(
                f"{where}.inline.secret",
                f"secret: true, but {names} is plain text in the stack file: set it with "
                "`pulumi config set --secret --path ...`",
            )
        )
    return errors


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{show_key(key)}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, f"{path}[{i}]")


@rule("workload")
def breaks_fit_the_baseline(ctx: CheckContext) -> list[ConfigWarning]:
    """A break whose scripts name objects the team's workload baseline does not have."""
    baseline = ctx.config.workload.baseline
    warnings: list[ConfigWarning] = []
    for where, team in ctx.teams:
        for j, ref in enumerate(team.breaks):
            try:
                scenario = resolve_scenario(
                    id=ref.id, path=ref.path, inline=ref.inline, base_dir=ctx.base_dir
                )
            except ScenarioError:
                continue  # reported by break_refs
            for mismatch in baseline_mismatches(scenario, baseline):
                warnings.append(ConfigWarning(f"{where}.breaks[{j}]", str(mismatch)))
    return warnings
