"""`StackConfig`: every `klustered:*` key of one stack, each section validated."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AwareDatetime, BeforeValidator, Field

from components.machines.underlay import ETHERNET_MTU, SUBSTRATE_MTU, WIREGUARD_OVERHEAD
from components.nodes import NodeRole, NodeSlot, node_slots
from klustered.config.access import AccessConfig
from klustered.config.dns import DnsConfig
from klustered.config.errors import show
from klustered.config.kubernetes import KubernetesConfig
from klustered.config.machines import MachinesConfig, SshPrivateKey
from klustered.config.mesh import MeshConfig
from klustered.config.model import ConfigModel
from klustered.config.teams import TeamConfig
from klustered.config.workload import WorkloadConfig


def _time_text(value: object) -> object:
    """A time is written as a date and time; a number would be read as seconds since 1970."""
    if not isinstance(value, str) or not re.match(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError(f"{show(value)} is not an ISO 8601 time like 2026-12-01T20:00:00Z")
    return value


Expires = Annotated[AwareDatetime, Field(strict=False), BeforeValidator(_time_text)]
"""An ISO 8601 time with a timezone, written as text."""

NAMESPACE = "klustered"
"""The default config namespace of the stack keys (`klustered:teams`): a project's own
namespace is its Pulumi.yaml `name`, which `check_stack_config` takes as `namespace`."""


class StackConfig(ConfigModel):
    """Every `klustered:*` key of one stack, validated."""

    expires: Expires | None = None
    """When CI destroys the stack; with a timezone, or it means a different instant per runner.
    A YAML timestamp is read as the text the user wrote (as Pulumi reads it)."""
    access: AccessConfig = AccessConfig()
    kubernetes: KubernetesConfig = KubernetesConfig()
    machines: MachinesConfig = MachinesConfig()
    ssh_key: SshPrivateKey | None = None
    """The host's SSH private key for every machine (required by `existing` machines)."""
    mesh: MeshConfig = MeshConfig()
    workload: WorkloadConfig = WorkloadConfig()
    dns: DnsConfig | None = None
    teams: list[TeamConfig] = Field(min_length=1)

    def team_machines(self, team: TeamConfig, *, worker: bool = False) -> MachinesConfig:
        """The effective machine settings of a team's control planes (or workers)."""
        machines = team.machines.apply(self.machines)
        if worker and team.worker_machines is not None:
            machines = team.worker_machines.apply(machines)
        return machines

    def node_machines(self, team: TeamConfig) -> list[tuple[NodeSlot, MachinesConfig]]:
        """Every node of a team with its effective machine settings, control planes first."""
        return [
            (slot, self.team_machines(team, worker=slot.role == NodeRole.WORKER))
            for slot in node_slots(team.name, team.control_planes, team.workers)
        ]

    def underlay_mtus(self, team: TeamConfig) -> dict[str, int]:
        """Each node's underlay MTU (its substrate's, or its host's), by node name."""
        result = {}
        for slot, machines in self.node_machines(team):
            if machines.provider == "existing":
                host = team.hosts.get(host_key(slot))
                result[slot.name] = host.mtu if host is not None else ETHERNET_MTU
            else:
                result[slot.name] = SUBSTRATE_MTU[machines.provider]
        return result

    def team_mesh_mtu(self, team: TeamConfig) -> int:
        """The team's mesh (and Cilium) MTU: mesh.mtu, or the smallest underlay - 80."""
        if self.mesh.mtu is not None:
            return self.mesh.mtu
        return min(self.underlay_mtus(team).values()) - WIREGUARD_OVERHEAD


def host_key(slot: NodeSlot) -> str:
    """A node's key under a team's `hosts`: its name without the team (`worker-2`)."""
    return f"{slot.role.value}-{slot.index}"
