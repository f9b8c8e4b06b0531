"""A team's machines: one per node on the substrate its settings name, plus cloud firewalls.

This is the only place that maps the stack config's substrate settings onto the machine
components of `components.machines`.
"""

from __future__ import annotations

from typing import Any

import pulumi

from components.machines.gcp import GcpMachine, GcpTeamFirewall
from components.machines.machine import Machine, MachineHost
from klustered.config import MachinesConfig


def create_machine(
    name: str,
    host: MachineHost,
    settings: MachinesConfig,
    *,
    ssh_public_key: pulumi.Input[str],
    equinix_keys: dict[str, Any],
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
                "ssh_public_key": ssh_public_key,
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
            "project_ssh_key_id": equinix_keys[em.project or ""].id,
        },
        child,
    )


def create_firewalls(
    name: str,
    team: str,
    settings: list[MachinesConfig],
    *,
    mesh_port: int | None,
    parent: pulumi.Resource,
) -> list[pulumi.Resource]:
    """The cloud firewalls a team's nodes need, one per GCP network they sit on."""
    gcp_networks = {(m.gcp.project or "", m.gcp.network) for m in settings if m.provider == "gcp"}
    firewalls: list[pulumi.Resource] = []
    for project, network in sorted(gcp_networks):
        suffix = "" if len(gcp_networks) == 1 else f"-{project}-{network}"
        firewalls.append(
            GcpTeamFirewall(
                f"{name}-firewall{suffix}",
                {"team": team, "project": project, "network": network, "mesh_port": mesh_port},
                pulumi.ResourceOptions(parent=parent),
            )
        )
    return firewalls
