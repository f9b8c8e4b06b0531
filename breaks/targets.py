"""Which nodes a break runs on: a role keyword, node names, or the API (control-plane-1)."""

from __future__ import annotations

from collections.abc import Sequence

from breaks.scenario import Targets, is_role_relative, shown
from components.nodes import NodeRole, NodeSlot


class TargetError(ValueError):
    """A target that names no node of the cluster."""


def resolve_targets(targets: Targets, slots: Sequence[NodeSlot]) -> list[NodeSlot]:
    """The nodes `targets` selects, in cluster order.

    `api` selects control-plane-1 (where kubectl runs with the admin kubeconfig).
    List entries are full node names (`blue-worker-1`) or names without the team
    prefix (`worker-1`).
    """
    if targets == "api":
        first = [s for s in slots if s.role == NodeRole.CONTROL_PLANE and s.index == 1]
        if not first:
            raise TargetError("the cluster has no control-plane-1")
        return first
    if targets == "all":
        return list(slots)
    if targets == "control-plane":
        return [s for s in slots if s.role == NodeRole.CONTROL_PLANE]
    if targets == "workers":
        workers = [s for s in slots if s.role == NodeRole.WORKER]
        if not workers:
            raise TargetError("the break targets workers but the cluster has none")
        return workers
    by_name = {s.name: s for s in slots}
    for s in slots:
        by_name.setdefault(s.name.removeprefix(f"{s.team}-"), s)
    chosen: list[NodeSlot] = []
    for name in targets:
        slot = by_name.get(name)
        if slot is None:
            hint = " (no such node in this cluster)" if is_role_relative(name) else ""
            raise TargetError(f"target {shown(name)} is not a node of this cluster{hint}")
        if slot not in chosen:
            chosen.append(slot)
    return [s for s in slots if s in chosen]
