"""Node roles and names shared by every component.

Nodes are named (and their hosts called) `<team>-control-plane-<n>` and `<team>-worker-<n>`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

NETWORK_PHASE = 42
"""Where a cluster runs a node's extra phase that needs the teammates' addresses (the
mesh): after the node-local phases (10-40), before the host firewall (43), the node-local
API balancer (44), the API endpoint (45) and kubeadm (50)."""


class NodeRole(StrEnum):
    """The kubeadm role a node plays."""

    CONTROL_PLANE = "control-plane"
    WORKER = "worker"


@dataclass(frozen=True)
class NodeSlot:
    """One node of a team's cluster as plain values: team, role and 1-based index."""

    team: str
    role: NodeRole
    index: int

    @property
    def name(self) -> str:
        """The node's Kubernetes name and hostname."""
        return f"{self.team}-{self.role.value}-{self.index}"


def node_slots(team: str, control_planes: int, workers: int) -> list[NodeSlot]:
    """Every node of a team's cluster, control planes first, counting from 1."""
    return [NodeSlot(team, NodeRole.CONTROL_PLANE, i) for i in range(1, control_planes + 1)] + [
        NodeSlot(team, NodeRole.WORKER, i) for i in range(1, workers + 1)
    ]
