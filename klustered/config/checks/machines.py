"""Rules on each team's effective machine settings."""

from __future__ import annotations

from klustered.config.checks.base import CheckContext, rule
from klustered.config.errors import ConfigError


@rule("machines", "mesh", "teams")
def substrate_settings(ctx: CheckContext) -> list[ConfigError]:
    """Each substrate a team uses has what it needs; mixing substrates needs the mesh."""
    cfg = ctx.config
    errors: list[ConfigError] = []
    for where, team in ctx.teams:
        cp_machines = cfg.team_machines(team)
        roles = [("machines", cp_machines)]
        if team.workers > 0:
            worker_machines = cfg.team_machines(team, worker=True)
            roles.append(
                ("workerMachines" if team.worker_machines else "machines", worker_machines)
            )
            if worker_machines.provider != cp_machines.provider and not cfg.mesh.enabled:
                errors.append(
                    ConfigError(
                        f"{where}.workerMachines.provider",
                        f"{worker_machines.provider!r} differs from the control planes' "
                        f"{cp_machines.provider!r}; mixing substrates needs mesh.enabled: true",
                    )
                )
        for field, machines in roles:
            if machines.provider == "gcp" and not machines.gcp.project:
                errors.append(
                    ConfigError(
                        f"{where}.{field}.gcp.project",
                        "required when provider is gcp (set klustered:machines.gcp.project "
                        "or the team's machines.gcp.project)",
                    )
                )
            if machines.provider == "equinix-metal" and not machines.equinix_metal.project:
                errors.append(
                    ConfigError(
                        f"{where}.{field}.equinixMetal.project",
                        "required when provider is equinix-metal (set "
                        "klustered:machines.equinixMetal.project or the team's "
                        "machines.equinixMetal.project)",
                    )
                )
    return errors
