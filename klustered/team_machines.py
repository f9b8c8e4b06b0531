"""A team's machines: one per node on the substrate its settings name, plus cloud firewalls.

This is the only place that maps the stack config's substrate settings onto the machine
components of `components.machines`. The Scaleway and Equinix Metal SDKs are imported
only when a stack uses them (Equinix's does not load on Python 3.12+).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi

from components.machines.gcp import GcpMachine, GcpTeamFirewall
from components.machines.machine import Machine, MachineHost
from klustered.config import HostConfig, MachinesConfig, StackConfig


@dataclass(frozen=True)
class ProjectKeys:
    """The episode's public SSH key as registered per project, on substrates that need it."""

    scaleway: dict[str, Any] = field(default_factory=dict)
    """Scaleway project id -> iam.SshKey."""
    equinix_metal: dict[str, Any] = field(default_factory=dict)
    """Equinix Metal project id -> ProjectSshKey."""


def register_project_keys(
    name: str,
    config: StackConfig,
    *,
    name_prefix: str,
    ssh_public_key: pulumi.Input[str],
    parent: pulumi.Resource,
    others: Sequence[MachinesConfig] = (),
) -> ProjectKeys:
    """Register the episode's public key once in every Scaleway / Equinix project in use
    (by the teams' nodes, and by `others`: the Teleport machine)."""
    used = [m for team in config.teams for _, m in config.node_machines(team)]
    used += others
    keys = ProjectKeys()
    scaleway = sorted({m.scaleway.project or "" for m in used if m.provider == "scaleway"})
    if scaleway:
        from components.machines.scaleway import project_ssh_key as scaleway_key

        for project in scaleway:
            suffix = f"-{project}" if len(scaleway) > 1 else ""
            keys.scaleway[project] = scaleway_key(
                f"{name}-ssh-key-scaleway{suffix}",
                f"klustered-{name_prefix}{suffix}",
                project,
                ssh_public_key,
                parent,
            )
    equinix = sorted({m.equinix_metal.project or "" for m in used if m.provider == "equinix-metal"})
    if equinix:
        from components.machines.equinix_metal import project_ssh_key as equinix_key

        for project in equinix:
            keys.equinix_metal[project] = equinix_key(
                f"{name}-ssh-key-{project}" if len(equinix) > 1 else f"{name}-ssh-key-metal",
                project,
                ssh_public_key,
                parent,
            )
    return keys


def create_machine(
    name: str,
    host: MachineHost,
    settings: MachinesConfig,
    *,
    existing: HostConfig | None = None,
    name_prefix: str,
    ssh_public_key: pulumi.Input[str],
    ssh_private_key: pulumi.Input[str],
    keys: ProjectKeys,
    parent: pulumi.Resource,
) -> Machine:
    """The machine for one host (a node, or the Teleport server), on the substrate `settings`
    selects."""
    child = pulumi.ResourceOptions(parent=parent)
    if settings.provider == "gcp":
        gcp = settings.gcp
        return GcpMachine(
            name,
            {
                "host": host,
                "project": gcp.project or "",
                "zone": gcp.zone,
                "machine_type": gcp.machine_type,
                "image": gcp.image,
                "network": gcp.network,
                "name_prefix": name_prefix,
                "ssh_public_key": ssh_public_key,
            },
            child,
        )
    if settings.provider == "scaleway":
        from components.machines.scaleway import ScalewayMachine

        scw = settings.scaleway
        return ScalewayMachine(
            name,
            {
                "host": host,
                "project": scw.project or "",
                "zone": scw.zone,
                "offer": scw.offer,
                "os": scw.os,
                "name_prefix": name_prefix,
                "ssh_key_id": keys.scaleway[scw.project or ""].id,
            },
            child,
        )
    if settings.provider == "existing":
        from components.machines.existing import ExistingMachine

        if existing is None:
            raise ValueError(f"{host.hostname}: provider existing needs its machine under hosts")
        return ExistingMachine(
            name,
            {
                "host": host,
                "address": existing.address,
                "private_address": existing.cluster_address,
                "user": existing.user,
                "underlay_mtu": existing.mtu,
                "ssh_private_key": ssh_private_key,
            },
            child,
        )
    from components.machines.equinix_metal import EquinixMetalMachine

    em = settings.equinix_metal
    return EquinixMetalMachine(
        name,
        {
            "host": host,
            "project": em.project or "",
            "metro": em.metro,
            "plan": em.plan,
            "os": em.os,
            "project_ssh_key_id": keys.equinix_metal[em.project or ""].id,
        },
        child,
    )


def create_firewalls(
    name: str,
    team: str,
    settings: list[MachinesConfig],
    *,
    name_prefix: str,
    mesh_port: int | None,
    parent: pulumi.Resource,
) -> list[pulumi.Resource]:
    """The cloud firewalls a team's nodes need, one per GCP network they sit on.

    Scaleway Elastic Metal, Equinix Metal and existing machines have no cloud firewall:
    the cluster's host firewall phase guards their public interface.
    """
    gcp_networks = {(m.gcp.project or "", m.gcp.network) for m in settings if m.provider == "gcp"}
    firewalls: list[pulumi.Resource] = []
    for project, network in sorted(gcp_networks):
        suffix = "" if len(gcp_networks) == 1 else f"-{project}-{network}"
        firewalls.append(
            GcpTeamFirewall(
                f"{name}-firewall{suffix}",
                {
                    "team": team,
                    "project": project,
                    "network": network,
                    "name_prefix": name_prefix,
                    "mesh_port": mesh_port,
                },
                pulumi.ResourceOptions(parent=parent),
            )
        )
    return firewalls
