"""Rules on each team's effective machine settings, hosts, the SSH key and the mesh MTU."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from components.machines.underlay import MIN_MESH_MTU, WIREGUARD_OVERHEAD
from klustered.config.checks.base import CheckContext, rule
from klustered.config.errors import ConfigError, ConfigWarning
from klustered.config.machines import MachinesConfig
from klustered.config.stack import NAMESPACE, host_key
from klustered.config.teams import TeamConfig
from klustered.equinix_sdk import sdk_load_error

EQUINIX_CLOSED = (
    "Equinix Metal shut down on 2026-06-30: this team's machines cannot be created; "
    "move it to gcp, scaleway or existing"
)
SSH_KEY_SET = (
    f"pulumi config set --secret {NAMESPACE}:sshKey < ~/.ssh/klustered (an unencrypted key)"
)


def _roles(ctx: CheckContext, team: TeamConfig) -> Iterator[tuple[str, MachinesConfig]]:
    """(field, settings) for the team's control planes, then its workers when it has any."""
    cfg = ctx.config
    yield "machines", cfg.team_machines(team)
    if team.workers > 0:
        yield (
            "workerMachines" if team.worker_machines else "machines",
            cfg.team_machines(team, worker=True),
        )


@rule("machines", "mesh", "teams")
def substrate_settings(ctx: CheckContext) -> list[ConfigError]:
    """Each substrate a team uses has what it needs; mixing substrates needs the mesh."""
    cfg = ctx.config
    errors: list[ConfigError] = []
    for where, team in ctx.teams:
        roles = list(_roles(ctx, team))
        cp_provider = roles[0][1].provider
        for field, machines in roles[1:]:
            if machines.provider != cp_provider and not cfg.mesh.enabled:
                errors.append(
                    ConfigError(
                        f"{where}.{field}.provider",
                        f"{machines.provider!r} differs from the control planes' "
                        f"{cp_provider!r}; mixing substrates needs mesh.enabled: true",
                    )
                )
        for field, machines in roles:
            needs_project = {
                "gcp": ("gcp", machines.gcp.project),
                "scaleway": ("scaleway", machines.scaleway.project),
                "equinix-metal": ("equinixMetal", machines.equinix_metal.project),
            }
            if machines.provider in needs_project:
                section, project = needs_project[machines.provider]
                if not project:
                    errors.append(
                        ConfigError(
                            f"{where}.{field}.{section}.project",
                            f"required when provider is {machines.provider} (set "
                            f"klustered:machines.{section}.project or the team's "
                            f"{field}.{section}.project)",
                        )
                    )
            if machines.provider == "scaleway" and not cfg.mesh.enabled:
                errors.append(
                    ConfigError(
                        f"{where}.{field}.provider",
                        "'scaleway' needs mesh.enabled: true (Elastic Metal servers get no "
                        "private network; their nodes talk over the WireGuard mesh)",
                    )
                )
    return errors


@rule("machines", "teams")
def existing_hosts(ctx: CheckContext) -> list[ConfigError]:
    """`hosts` lists exactly the team's nodes on provider existing, each machine once."""
    cfg = ctx.config
    errors: list[ConfigError] = []
    seen: dict[str, str] = {}
    needs_key: list[str] = []
    for where, team in ctx.teams:
        nodes = cfg.node_machines(team)
        names = [host_key(slot) for slot, _ in nodes]
        existing = [host_key(slot) for slot, m in nodes if m.provider == "existing"]
        providers = {host_key(slot): m.provider for slot, m in nodes}
        for key, host in team.hosts.items():
            if key not in providers:
                errors.append(
                    ConfigError(
                        f"{where}.hosts.{key}",
                        f"team {team.name} has no node {key} (its nodes: {', '.join(names)})",
                    )
                )
            elif providers[key] != "existing":
                errors.append(
                    ConfigError(
                        f"{where}.hosts.{key}",
                        f"{key} runs on {providers[key]}, not existing: hosts are only for "
                        "nodes with provider existing",
                    )
                )
            else:
                node = f"{team.name}-{key}"
                if host.address in seen:
                    errors.append(
                        ConfigError(
                            f"{where}.hosts.{key}.address",
                            f"{host.address} is already {seen[host.address]}: one machine per node",
                        )
                    )
                seen.setdefault(host.address, node)
        missing = [key for key in existing if key not in team.hosts]
        if missing:
            errors.append(
                ConfigError(
                    f"{where}.hosts",
                    f"missing {', '.join(missing)}: every node on provider existing needs "
                    "its machine here ({address, privateAddress, user})",
                )
            )
        if existing:
            needs_key.append(team.name)
        if existing and not cfg.mesh.enabled:
            for key in existing:
                maybe = team.hosts.get(key)
                if maybe is not None and maybe.private_address is None:
                    try:
                        ipaddress.IPv4Address(maybe.address)
                    except ValueError:
                        errors.append(
                            ConfigError(
                                f"{where}.hosts.{key}.privateAddress",
                                "required when address is a DNS name and the mesh is off "
                                "(kubelet and etcd need an IPv4 address)",
                            )
                        )
    if needs_key and cfg.ssh_key is None and "ssh_key" not in ctx.failed:
        errors.append(
            ConfigError(
                "sshKey",
                f"required: team(s) {', '.join(needs_key)} run on provider existing, reached "
                f"with the host's own key ({SSH_KEY_SET})",
            )
        )
    return errors


@rule("machines", "mesh", "teams")
def mesh_mtu_fits_the_underlay(ctx: CheckContext) -> list[ConfigError]:
    """The mesh MTU leaves room for WireGuard on every node's network; none fragments."""
    cfg = ctx.config
    if not cfg.mesh.enabled:
        return []
    errors: list[ConfigError] = []
    for where, team in ctx.teams:
        underlay = cfg.underlay_mtus(team)
        node, smallest = min(underlay.items(), key=lambda item: item[1])
        allowed = smallest - WIREGUARD_OVERHEAD
        if cfg.mesh.mtu is not None and cfg.mesh.mtu > allowed:
            errors.append(
                ConfigError(
                    "mesh.mtu",
                    f"{cfg.mesh.mtu} is above {allowed}, the most team {team.name} allows: "
                    f"{node}'s network has MTU {smallest} and WireGuard takes "
                    f"{WIREGUARD_OVERHEAD} (leave mesh.mtu out to derive it)",
                )
            )
        if allowed < MIN_MESH_MTU:
            key = host_key(next(s for s, _ in cfg.node_machines(team) if s.name == node))
            errors.append(
                ConfigError(
                    f"{where}.hosts.{key}.mtu",
                    f"{smallest} leaves {allowed} for the mesh, below WireGuard's "
                    f"{MIN_MESH_MTU} (needs at least {MIN_MESH_MTU + WIREGUARD_OVERHEAD})",
                )
            )
    return errors


@rule("machines", "access")
def teleport_machine_substrate(ctx: CheckContext) -> list[ConfigError]:
    """The Teleport server's machine is one the episode can create (no hosts entry exists
    for it) with the project its substrate needs."""
    teleport = ctx.config.access.teleport
    if teleport is None:
        return []
    machines = teleport.machine.apply(ctx.config.machines)
    where = "access.teleport.machine"
    if machines.provider == "existing":
        return [
            ConfigError(
                f"{where}.provider",
                "'existing' is not offered for the Teleport server (it has no hosts entry); "
                "use gcp or scaleway",
            )
        ]
    if machines.provider == "scaleway" and not machines.scaleway.project:
        return [
            ConfigError(
                f"{where}.scaleway.project",
                "required when provider is scaleway (set klustered:machines.scaleway.project "
                "or access.teleport.machine.scaleway.project)",
            )
        ]
    return []


@rule("machines", "teams")
def equinix_metal_loads(ctx: CheckContext) -> list[ConfigError]:
    """A stack that names Equinix Metal can load its SDK here (it cannot on Python 3.12+)."""
    users = [
        (where, field)
        for where, team in ctx.teams
        for field, machines in _roles(ctx, team)
        if machines.provider == "equinix-metal"
    ]
    if not users:
        return []
    problem = sdk_load_error()
    if problem is None:
        return []
    where, field = users[0]
    return [ConfigError(f"{where}.{field}.provider", problem)]


@rule("machines", "teams")
def equinix_metal_closed(ctx: CheckContext) -> list[ConfigWarning]:
    """Equinix Metal shut down on 2026-06-30: every team still on it is told."""
    return [
        ConfigWarning(f"{where}.{field}.provider", EQUINIX_CLOSED)
        for where, team in ctx.teams
        for field, machines in _roles(ctx, team)
        if machines.provider == "equinix-metal"
    ]


@rule("ssh_key")
def ssh_key_is_secret(ctx: CheckContext) -> list[ConfigWarning]:
    """`klustered:sshKey` in plain text in the stack file: a private key where anyone reads it."""
    if ctx.config.ssh_key is None or ctx.secret_keys is None:
        return []
    if f"{NAMESPACE}:sshKey" in ctx.secret_keys:
        return []
    return [
        ConfigWarning(
            "sshKey",
            "a private key in plain text in the stack file: encrypt it with "
            f"`{SSH_KEY_SET}` (the program treats it as a secret either way)",
        )
    ]
