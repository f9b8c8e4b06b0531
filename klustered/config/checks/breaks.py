"""Rules on each team's breaks: source, params, targets and the break lint rules."""

from __future__ import annotations

from pathlib import Path

from breaks.catalog import catalog_ids, resolve_scenario
from breaks.lint import lint_directory, lint_scenario
from breaks.scenario import ScenarioError, resolve_params
from breaks.targets import TargetError, resolve_targets
from components.nodes import NodeSlot, node_slots
from klustered.config.checks.base import CheckContext, rule
from klustered.config.errors import ConfigError, show
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
            errors += _break_errors(f"{where}.breaks[{j}]", ref, slots, ctx.base_dir, known_ids)
            label = ref.label
            if label in seen:
                errors.append(
                    ConfigError(
                        f"{where}.breaks[{j}]",
                        f"{label!r} is already applied as breaks[{seen[label]}]",
                    )
                )
            seen.setdefault(label, j)
    return errors


def _break_errors(
    where: str, ref: BreakRef, slots: list[NodeSlot], base_dir: Path, known_ids: frozenset[str]
) -> list[ConfigError]:
    """A break entry checked with the break loader: source, params, targets and lint rules."""
    if ref.id is not None and ref.id not in known_ids:
        empty = " (the catalog is empty)" if not known_ids else ""
        return [ConfigError(f"{where}.id", f"{show(ref.id)} is not in the break catalog{empty}")]
    if ref.path is not None:
        directory = (base_dir / ref.path).resolve()
        if not (directory / "scenario.yaml").is_file():
            return [
                ConfigError(
                    f"{where}.path",
                    f"{show(ref.path)} is not a scenario directory (no scenario.yaml under "
                    f"{directory})",
                )
            ]
    source = "id" if ref.id is not None else "path" if ref.path is not None else "inline"
    try:
        scenario = resolve_scenario(id=ref.id, path=ref.path, inline=ref.inline, base_dir=base_dir)
    except ScenarioError as exc:
        return [ConfigError(f"{where}.{source}", "; ".join(exc.problems))]
    errors: list[ConfigError] = []
    try:
        resolve_params(scenario.spec, ref.params)
    except ScenarioError as exc:
        errors += [ConfigError(f"{where}.params", p.removeprefix("params.")) for p in exc.problems]
    try:
        resolve_targets(ref.targets or scenario.spec.targets, slots)
    except TargetError as exc:
        nodes = ", ".join(slot.name for slot in slots)
        errors.append(ConfigError(f"{where}.targets", f"{exc} (nodes: {nodes})"))
    if ref.path is not None:
        violations = lint_directory(base_dir / ref.path)
    elif ref.inline is not None and SECRET_PLACEHOLDER not in scenario.scripts.values():
        violations = lint_scenario(scenario)
    else:
        violations = []
    errors += [ConfigError(f"{where}.{source}", str(v)) for v in violations]
    return errors
