"""The mesh address plan: one block of 32 addresses per team, one fixed offset per node.

Team i (in stack order) gets block i of `mesh.cidr`. Inside a block, control plane n
sits at offset n (1..5) and worker n at offset 5 + n (1..26), so adding or removing a
node never moves another node's address.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from components.nodes import NodeRole, node_slots

DEFAULT_CIDR = "10.254.0.0/24"
"""The mesh network when none is given: room for 8 teams."""
BLOCK_SIZE = 32
"""Addresses reserved for each team."""
MAX_CONTROL_PLANES = 5
"""Control planes a block has room for (offsets 1..5)."""
MAX_WORKERS = BLOCK_SIZE - 1 - MAX_CONTROL_PLANES
"""Workers a block has room for (offsets 6..31; offset 0 is never used)."""


def node_offset(role: NodeRole, index: int) -> int:
    """The fixed offset of a node inside its team's block."""
    if index < 1:
        raise ValueError(f"node index must be >= 1, got {index}")
    if role is NodeRole.CONTROL_PLANE:
        if index > MAX_CONTROL_PLANES:
            raise ValueError(
                f"control plane {index}: a mesh block holds at most {MAX_CONTROL_PLANES}"
            )
        return index
    if index > MAX_WORKERS:
        raise ValueError(f"worker {index}: a mesh block holds at most {MAX_WORKERS} workers")
    return MAX_CONTROL_PLANES + index


def mesh_addresses(
    cidr: str, teams: Sequence[tuple[str, int, int]]
) -> dict[str, ipaddress.IPv4Interface]:
    """Map every node name of every team to its mesh address (with the cidr's prefix length).

    `teams` holds (team name, control planes, workers) in stack order.
    Raises ValueError with a readable reason when the plan does not fit.
    """
    try:
        network = ipaddress.IPv4Network(cidr, strict=True)
    except ValueError as exc:
        raise ValueError(f"mesh cidr {cidr!r} is not an IPv4 network: {exc}") from exc
    names = [name for name, _, _ in teams]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"mesh: team names must be unique, repeated: {', '.join(duplicates)}")
    blocks = network.num_addresses // BLOCK_SIZE
    if len(teams) > blocks:
        raise ValueError(
            f"mesh cidr {cidr} holds {blocks} team block(s) of {BLOCK_SIZE} addresses,"
            f" but there are {len(teams)} teams: use a shorter prefix"
            f" (at most /{32 - (BLOCK_SIZE * len(teams) - 1).bit_length()})"
        )
    result: dict[str, ipaddress.IPv4Interface] = {}
    for position, (team, control_planes, workers) in enumerate(teams):
        if control_planes > MAX_CONTROL_PLANES:
            raise ValueError(
                f"mesh: team {team} has {control_planes} control planes,"
                f" a mesh block holds at most {MAX_CONTROL_PLANES}"
            )
        if workers > MAX_WORKERS:
            raise ValueError(
                f"mesh: team {team} has {workers} workers, a mesh block holds at most {MAX_WORKERS}"
            )
        base = int(network.network_address) + position * BLOCK_SIZE
        for slot in node_slots(team, control_planes, workers):
            address = ipaddress.IPv4Address(base + node_offset(slot.role, slot.index))
            if address == network.broadcast_address:
                raise ValueError(
                    f"mesh: {slot.name} would get {address}, the broadcast address of"
                    f" {cidr}: use a larger cidr or fewer workers in team {team}"
                )
            result[slot.name] = ipaddress.IPv4Interface(f"{address}/{network.prefixlen}")
    return result
