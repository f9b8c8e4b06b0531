"""Rules across teams."""

from __future__ import annotations

from klustered.config.checks.base import CheckContext, rule
from klustered.config.errors import ConfigError


@rule("teams")
def unique_names(ctx: CheckContext) -> list[ConfigError]:
    """Every team has a name of its own."""
    errors: list[ConfigError] = []
    seen: set[str] = set()
    for where, team in ctx.teams:
        if team.name in seen:
            errors.append(ConfigError(f"{where}.name", f"{team.name!r} is used by another team"))
        seen.add(team.name)
    return errors
