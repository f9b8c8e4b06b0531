"""Rules on guest access: GitHub team slugs, the client secret, the Teleport machine."""

from __future__ import annotations

import re

from klustered.config.checks.base import CheckContext, rule
from klustered.config.errors import ConfigError, ConfigWarning, show

GITHUB_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z")
"""A GitHub team slug we can predict: GitHub lower-cases a team name and turns every run of
other characters into one '-', so a name already in this form is its own slug."""
GITHUB_SLUG_MAX = 255
HOSTS_TEAM = "hosts"
"""The GitHub team of the episode's hosts is `<stack>-hosts`."""
RESERVED_TEAM_NAMES = {
    HOSTS_TEAM: "its GitHub team <stack>-hosts is the hosts' team",
    "teleport": "teleport.<stack>.<domain> and DIR/teleport/ belong to the Teleport server",
}
MACHINE_NAME_MAX = 63
"""GCE instance names (and DNS labels) hold at most 63 characters: `teleport-<stack>`."""


def github_team_slug(stack: str, team: str) -> str:
    """The slug of the GitHub team that holds one episode team's guests."""
    return f"{stack}-{team}"


def teleport_host_name(stack: str) -> str:
    """The Teleport machine's host name: unique per stack within one cloud project."""
    return f"teleport-{stack}"


@rule("access", "teams")
def access_settings(ctx: CheckContext) -> list[ConfigError]:
    """With access on: a client secret, predictable GitHub team slugs, a usable machine."""
    teleport = ctx.config.access.teleport
    if teleport is None:
        return []
    where = "access.teleport"
    errors: list[ConfigError] = []
    if teleport.github_client_secret is None:
        errors.append(
            ConfigError(
                f"{where}.githubClientSecret",
                "required: the GitHub OAuth app's client secret (`pulumi config set --secret "
                "--path klustered:access.teleport.githubClientSecret ...`)",
            )
        )
    stack = ctx.stack
    if stack and not _slug_ok(stack):
        errors.append(
            ConfigError(
                where,
                f"the stack name {show(stack)} cannot prefix a GitHub team slug (lower-case "
                "a-z, 0-9 and single inner '-'): rename the stack to use access",
            )
        )
    elif stack and len(teleport_host_name(stack)) > MACHINE_NAME_MAX:
        errors.append(
            ConfigError(
                where,
                f"the stack name {show(stack)} makes the Teleport machine's name "
                f"{show(teleport_host_name(stack))} longer than {MACHINE_NAME_MAX} characters",
            )
        )
    for path, team in ctx.teams:
        if team.name in RESERVED_TEAM_NAMES:
            errors.append(
                ConfigError(
                    f"{path}.name",
                    f"{show(team.name)} is reserved while access is on: "
                    f"{RESERVED_TEAM_NAMES[team.name]}",
                )
            )
            continue
        if not stack or not _slug_ok(stack):
            continue
        slug = github_team_slug(stack, team.name)
        if not _slug_ok(slug):
            errors.append(
                ConfigError(
                    f"{path}.name",
                    f"{show(team.name)} makes the GitHub team slug {show(slug)}, which GitHub "
                    "would rewrite (use single '-' between letters and digits)",
                )
            )
    errors += _machine_errors(ctx)
    return errors


def _slug_ok(slug: str) -> bool:
    return bool(GITHUB_SLUG.match(slug)) and len(slug) <= GITHUB_SLUG_MAX


def _machine_errors(ctx: CheckContext) -> list[ConfigError]:
    """The Teleport machine's substrate has what it needs (the teams' rule, for one machine)."""
    teleport = ctx.config.access.teleport
    if teleport is None or "machines" in ctx.failed:
        return []
    machines = teleport.machine.apply(ctx.config.machines)
    where = "access.teleport.machine"
    if machines.provider == "gcp" and not machines.gcp.project:
        return [
            ConfigError(
                f"{where}.gcp.project",
                "required when provider is gcp (set klustered:machines.gcp.project or "
                "access.teleport.machine.gcp.project)",
            )
        ]
    if machines.provider == "equinix-metal" and not machines.equinix_metal.project:
        return [
            ConfigError(
                f"{where}.equinixMetal.project",
                "required when provider is equinix-metal (set "
                "klustered:machines.equinixMetal.project or "
                "access.teleport.machine.equinixMetal.project)",
            )
        ]
    return []


@rule("access", "teams")
def guests_without_access(ctx: CheckContext) -> list[ConfigWarning]:
    """Guests listed while access is off get no way into their cluster."""
    if ctx.config.access.teleport is not None:
        return []
    return [
        ConfigWarning(
            f"{path}.guests",
            f"{len(team.guests)} guest(s) listed but klustered:access.teleport is not set: "
            "they get no way into the cluster",
        )
        for path, team in ctx.teams
        if team.guests
    ]
