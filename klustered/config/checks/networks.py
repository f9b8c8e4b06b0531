"""Rules across the address ranges: pods, services and the mesh."""

from __future__ import annotations

import ipaddress

from components.mesh.addresses import BLOCK_SIZE as MESH_BLOCK
from components.mesh.addresses import MAX_WORKERS as MAX_MESH_WORKERS
from components.mesh.addresses import mesh_addresses
from klustered.config.checks.base import CheckContext, rule
from klustered.config.errors import ConfigError


@rule("kubernetes")
def ranges_do_not_overlap(ctx: CheckContext) -> list[ConfigError]:
    """Pod, service and mesh ranges are disjoint (the mesh's only when its section is valid)."""
    cfg = ctx.config
    ranges = {
        "kubernetes.podCidr": ipaddress.IPv4Network(cfg.kubernetes.pod_cidr),
        "kubernetes.serviceCidr": ipaddress.IPv4Network(cfg.kubernetes.service_cidr),
    }
    if cfg.mesh.enabled and "mesh" not in ctx.failed:
        ranges["mesh.cidr"] = ipaddress.IPv4Network(cfg.mesh.cidr)
    keys = list(ranges)
    errors: list[ConfigError] = []
    for a_i, a in enumerate(keys):
        for b in keys[a_i + 1 :]:
            if ranges[a].overlaps(ranges[b]):
                errors.append(ConfigError(b, f"{ranges[b]} overlaps {a} ({ranges[a]})"))
    return errors


@rule("mesh", "teams")
def mesh_holds_every_node(ctx: CheckContext) -> list[ConfigError]:
    """The mesh range has an address block for every team and room for its nodes."""
    cfg = ctx.config
    if not cfg.mesh.enabled:
        return []
    errors: list[ConfigError] = []
    net = ipaddress.IPv4Network(cfg.mesh.cidr)
    teams_fit = net.num_addresses // MESH_BLOCK
    if len(cfg.teams) > teams_fit:
        errors.append(
            ConfigError(
                "mesh.cidr",
                f"{cfg.mesh.cidr} holds {teams_fit} team(s) of {MESH_BLOCK} addresses; "
                f"the stack has {len(cfg.teams)} teams",
            )
        )
    for where, team in ctx.teams:
        if team.workers > MAX_MESH_WORKERS:
            errors.append(
                ConfigError(
                    f"{where}.workers",
                    f"{team.workers} is above {MAX_MESH_WORKERS}, the most a team's "
                    f"{MESH_BLOCK}-address mesh block holds",
                )
            )
    if not errors:
        try:
            shapes = [(t.name, t.control_planes, t.workers) for t in cfg.teams]
            mesh_addresses(cfg.mesh.cidr, shapes)
        except ValueError as exc:
            errors.append(ConfigError("mesh.cidr", str(exc)))
    return errors
