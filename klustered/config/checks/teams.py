"""Rules across teams."""

from __future__ import annotations

from klustered.config.checks.base import CheckContext, rule
from klustered.config.errors import ConfigError, show
from klustered.config.limits import MAX_NODES, NODES_WHY


@rule("teams")
def unique_names(ctx: CheckContext) -> list[ConfigError]:
    """Every team has a name of its own."""
    errors: list[ConfigError] = []
    seen: set[str] = set()
    for where, team in ctx.teams:
        if team.name in seen:
            errors.append(
                ConfigError(f"{where}.name", f"{show(team.name)} is used by another team")
            )
        seen.add(team.name)
    return errors


@rule("teams")
def nodes_within_bounds(ctx: CheckContext) -> list[ConfigError]:
    """The stack's nodes, all teams together, stay within MAX_NODES."""
    total = sum(team.control_planes + team.workers for _, team in ctx.teams)
    if total > MAX_NODES:
        return [ConfigError("teams", f"{total} nodes is more than {MAX_NODES}: {NODES_WHY}")]
    return []
