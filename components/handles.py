"""Public handles a cluster hands to its dependants (breaks, access, DNS).

These are the only types `breaks/` may import from a cluster: a node's SSH connection
and identity, the cluster's kubeconfig, goal check and readiness, and the app it runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
from pulumi_command import remote

from components.nodes import NodeRole, NodeSlot


@dataclass(frozen=True)
class NodeHandle:
    """One bootstrapped node: who it is, how to reach it over SSH, and when it is ready."""

    slot: NodeSlot
    connection: remote.ConnectionArgs
    public_ip: pulumi.Output[str]
    cluster_ip: pulumi.Output[str]
    """The address kubelet and etcd use: the mesh address when the mesh is on."""
    ready: pulumi.Resource
    """The last bootstrap step of this node; anything that runs on it depends on this."""
    shell: str = "bash -s"
    """The command that runs a script from stdin as root on this node."""
    machine: pulumi.Resource | None = None
    """The machine: commands on the node are deleted with it (no SSH to a vanished host)."""

    @property
    def name(self) -> str:
        """The node's Kubernetes name."""
        return self.slot.name

    @property
    def role(self) -> NodeRole:
        """control-plane or worker."""
        return self.slot.role


@dataclass(frozen=True)
class WorkloadHandle:
    """The app a cluster runs, as breaks and the goal check name it (plain values)."""

    baseline: str = "show"
    """`show` (the show's manifests) or `klusteredbench` (KlusteredBench's baseline)."""
    image: str = "ghcr.io/rawkodeacademy/klustered:v1"
    """The app image deployed at the start (v1); v2 is the same repository, tag v2."""
    namespace: str = "default"
    deployment: str = "klustered"
    container: str = "klustered"
    service: str = "klustered"
    """The app's NodePort Service."""
    node_port: int = 30000
    db_workload: str = "statefulset/postgresql"
    """The database workload as `kind/name`."""
    db_service: str = "postgres"

    @property
    def repository(self) -> str:
        """The image without its tag."""
        return image_repository(self.image)

    def image_for(self, version: str) -> str:
        """The app image serving `version`: the deployed repository with that tag."""
        return f"{self.repository}:{version}"


def image_repository(image: str) -> str:
    """`image` without its tag or digest (`ghcr.io/a/b:v1` -> `ghcr.io/a/b`)."""
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return name[: len(name) - len(last)] + last.split(":", 1)[0]


@dataclass(frozen=True)
class ClusterHandle:
    """A team's cluster as seen by what is layered on top of it."""

    team: str
    nodes: list[NodeHandle]
    kubeconfig: pulumi.Output[str]
    """The admin kubeconfig (secret)."""
    goal_check: pulumi.Output[str]
    """A script that exits 0 when the app serves v2 with a seeded quote (default verify)."""
    ready: list[pulumi.Resource] = field(default_factory=list)
    """Resources a break waits for: cluster readiness and the deployed workload."""
    workload: WorkloadHandle | None = None
    """The app deployed on the cluster (None: the show's baseline at its defaults)."""
