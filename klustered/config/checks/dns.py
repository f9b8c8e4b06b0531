"""Rules on the episode's DNS: names derived from the stack, and the registrar's token."""

from __future__ import annotations

import os

from components.dns.names import (
    MAX_NAME,
    api_name,
    episode_domain,
    label_problem,
    teleport_wildcard,
)
from klustered.config.checks.base import CheckContext, rule
from klustered.config.dns import GANDI_TOKEN_ENV, GANDI_TOKEN_KEYS
from klustered.config.errors import ConfigError, show


@rule("dns")
def stack_makes_valid_names(ctx: CheckContext) -> list[ConfigError]:
    """The stack's name is a DNS label and every name under `<stack>.<domain>` fits."""
    dns = ctx.config.dns
    if dns is None or not ctx.stack:
        return []
    problem = label_problem(ctx.stack)
    if problem is not None:
        return [
            ConfigError(
                "stack",
                f"{show(ctx.stack)} {problem}; with klustered:dns the episode zone is "
                f"<stack>.{dns.domain}, so the stack name must be a DNS label",
            )
        ]
    errors: list[ConfigError] = []
    longest = teleport_wildcard(ctx.stack, dns.domain)
    if len(longest) > MAX_NAME:
        errors.append(
            ConfigError(
                "dns.domain",
                f"{longest} is {len(longest)} characters, above {MAX_NAME}: the episode zone "
                f"{episode_domain(ctx.stack, dns.domain)} leaves no room for its names",
            )
        )
    for where, team in ctx.teams:
        name = api_name(team.name, ctx.stack, dns.domain)
        if len(name) > MAX_NAME:
            errors.append(
                ConfigError(
                    f"{where}.name",
                    f"{name} is {len(name)} characters, above {MAX_NAME}",
                )
            )
    return errors


@rule("dns")
def registrar_has_its_token(ctx: CheckContext) -> list[ConfigError]:
    """`registrar: gandi` needs the Gandi provider's token, in its own config or environment."""
    dns = ctx.config.dns
    if dns is None or dns.registrar != "gandi":
        return []
    if any(key in ctx.provider_keys for key in GANDI_TOKEN_KEYS):
        return []
    if any(os.environ.get(var) for var in GANDI_TOKEN_ENV):
        return []
    return [
        ConfigError(
            "dns.registrar",
            "'gandi' needs the Gandi provider's token: set it with `pulumi config set "
            f"--secret {GANDI_TOKEN_KEYS[0]} <token>` (or {GANDI_TOKEN_ENV[0]} in the "
            "environment of `pulumi up`)",
        )
    ]
