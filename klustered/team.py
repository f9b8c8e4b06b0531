"""A Team: one team's slice of an episode: machines, mesh, cluster, the app and its breaks."""

from __future__ import annotations

import dataclasses
import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import NotRequired, TypedDict

import pulumi

from breaks.catalog import resolve_scenario
from breaks.component import Break
from components.cluster.component import Cluster, ClusterArgs, ClusterNodeArgs, NodePhaseArgs
from components.handles import ClusterHandle
from components.machines.existing import ExistingMachine, render_reset_script
from components.machines.machine import Machine, MachineHost
from components.machines.underlay import mesh_mtu
from components.mesh.component import Mesh
from components.nodes import NodeRole, NodeSlot, node_slots
from components.teleport.agents import TeleportAgents
from components.teleport.component import TeleportHandle
from components.teleport.resources import TEAM_LABEL
from components.workload.component import Workload
from components.workload.goal_check import render_goal_check
from components.workload.manifests import NODE_PORT
from klustered.config import MachinesConfig, StackConfig, TeamConfig, host_key
from klustered.team_machines import ProjectKeys, create_firewalls, create_machine

MESH_PHASE = 42
"""The mesh comes up after the node-local phases (10-40) and before kubeadm (45+): it is
the first phase that needs the teammates' addresses."""


class TeamArgs(TypedDict):
    """Inputs of one team's slice of the episode."""

    team: TeamConfig
    config: StackConfig
    ssh_public_key: pulumi.Input[str]
    ssh_private_key: pulumi.Input[str]
    """The episode's SSH private key (secret): klustered:sshKey, or the generated one."""
    keys: ProjectKeys
    """The episode's public key registered per Scaleway / Equinix project (when used)."""
    name_prefix: str
    """Prefix of cloud names that must be unique per project (the stack)."""
    mesh_addresses: dict[str, ipaddress.IPv4Interface]
    """Every node's mesh address (empty when the mesh is off)."""
    base_dir: str
    teleport: NotRequired[TeleportHandle | None]
    """The episode's Teleport server: every node runs an agent joined to it."""
    api_dns_name: NotRequired[str]
    """`api.<team>.<stack>.<domain>` when the episode has DNS: in the API certificate and
    the kubeconfig output."""
    app_dns_name: NotRequired[str]
    """`<team>.<stack>.<domain>` when the episode has DNS: the app URL uses it."""


@dataclass(frozen=True)
class NodeOutput:
    """One node as the stack outputs show it."""

    name: str
    role: str
    public_ip: pulumi.Output[str]
    cluster_ip: pulumi.Output[str]
    console: pulumi.Output[str]


class Team(pulumi.ComponentResource):
    """Everything one team gets: machines, mesh, cluster and the app."""

    cluster: Cluster
    workload: Workload
    mesh: Mesh | None
    mesh_mtu: int
    """WireGuard's and Cilium's MTU: mesh.mtu, or the team's smallest underlay - 80."""
    agents: TeleportAgents | None
    nodes: list[NodeOutput]
    api_ips: list[pulumi.Output[str]]
    """Every control plane's public address (what `api.<team>` points at)."""
    app_ips: list[pulumi.Output[str]]
    """The public addresses the app answers on: every worker, else control-plane-1."""
    rendered_files: dict[str, pulumi.Output[str]]
    """Files the team's nodes receive, keyed `<node>/<file>` (for the offline plan)."""

    def __init__(
        self, name: str, args: TeamArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("klustered:episode:Team", name, {}, opts)
        team, config = args["team"], args["config"]
        child = pulumi.ResourceOptions(parent=self)
        self.name = team.name
        slots = node_slots(team.name, team.control_planes, team.workers)

        machines = {slot.name: self._machine(name, slot, args) for slot in slots}
        create_firewalls(
            name,
            team.name,
            [self._settings(slot, args) for slot in slots],
            name_prefix=args["name_prefix"],
            mesh_port=config.mesh.port if config.mesh.enabled else None,
            parent=self,
        )
        # The mesh fits inside the smallest underlay of the team's machines (GCP's VPC 1460).
        self.mesh_mtu = config.mesh.mtu or mesh_mtu(m.underlay_mtu for m in machines.values())

        self.mesh = None
        cluster_ips: dict[str, pulumi.Input[str]] = {}
        extra: dict[str, list[NodePhaseArgs]] = {s.name: [] for s in slots}
        if config.mesh.enabled:
            self.mesh = Mesh(
                f"{name}-mesh",
                {
                    "team": team.name,
                    "cidr": config.mesh.cidr,
                    "port": config.mesh.port,
                    "mtu": self.mesh_mtu,
                    "keepalive": config.mesh.keepalive,
                    "nodes": [
                        {
                            "slot": slot,
                            "public_ip": machines[slot.name].public_ip,
                            "address": str(args["mesh_addresses"][slot.name]),
                        }
                        for slot in slots
                    ],
                    "phase": MESH_PHASE,
                },
                child,
            )
            for slot in slots:
                mesh_node = self.mesh.nodes[slot.name]
                cluster_ips[slot.name] = str(mesh_node.address.ip)
                extra[slot.name].append(
                    {"file": mesh_node.phase_file, "script": mesh_node.phase_script, "secret": True}
                )
        else:
            cluster_ips = {slot.name: machines[slot.name].private_ip for slot in slots}

        self.agents = None
        teleport = args.get("teleport")
        if teleport is not None:
            self.agents = TeleportAgents(
                f"{name}-teleport-agents",
                {
                    "server": teleport,
                    "nodes": [
                        {
                            "name": slot.name,
                            "labels": {
                                TEAM_LABEL: team.name,
                                "node": slot.name,
                                "role": slot.role.value,
                            },
                            "instance": _instance(machines[slot.name]),
                        }
                        for slot in slots
                    ],
                },
                child,
            )
            for slot in slots:
                agent = self.agents.nodes[slot.name]
                extra[slot.name].append(
                    {"file": agent.file, "script": agent.script, "secret": True}
                )

        nodes: list[ClusterNodeArgs] = [
            {
                "slot": slot,
                "public_ip": machines[slot.name].public_ip,
                "cluster_ip": cluster_ips[slot.name],
                "ssh_user": machines[slot.name].ssh_user,
                "machine": machines[slot.name].resource,
                "extra_phases": extra[slot.name],
            }
            for slot in slots
        ]
        cluster_args: ClusterArgs = {
            "team": team.name,
            "kubernetes_version": config.kubernetes.version,
            "pod_cidr": config.kubernetes.pod_cidr,
            "service_cidr": config.kubernetes.service_cidr,
            "nodes": nodes,
            "ssh_private_key": args["ssh_private_key"],
            "cilium_mtu": self.mesh_mtu if config.mesh.enabled else 0,
        }
        if "api_dns_name" in args:
            cluster_args["api_dns_name"] = args["api_dns_name"]
        if config.mesh.enabled:
            cluster_args["mesh_port"] = config.mesh.port
        self.cluster = Cluster(f"{name}-cluster", cluster_args, child)
        self.workload = Workload(
            f"{name}-workload",
            {
                "provider": self.cluster.provider,
                "image": config.workload.image,
                "postgres_image": config.workload.postgres_image,
                "deleted_with": self.cluster.init,
                "baseline": config.workload.baseline,
            },
            child,
        )

        # Breaks see the app as deployed: their default verify is its goal check.
        handle = dataclasses.replace(self.cluster.handle, workload=self.workload.handle)
        # A team's breaks run one after the other: each waits for the one before it, and
        # only the first sees a green cluster.
        self.breaks: list[Break] = []
        for ref in team.breaks:
            self.breaks.append(
                Break(
                    f"{name}-break-{ref.label}",
                    {
                        "cluster": handle,
                        "scenario": resolve_scenario(
                            id=ref.id,
                            path=ref.path,
                            inline=ref.inline,
                            base_dir=Path(args["base_dir"]),
                        ),
                        "targets": ref.targets,
                        "params": dict(ref.params),
                        "rehearse": ref.rehearse,
                        "depends_on": [self.workload, *self.breaks[-1:]],
                        "after_other_breaks": bool(self.breaks),
                    },
                    pulumi.ResourceOptions(parent=self.cluster),
                )
            )

        self.nodes = [
            NodeOutput(
                name=slot.name,
                role=slot.role.value,
                public_ip=machines[slot.name].public_ip,
                cluster_ip=pulumi.Output.from_input(cluster_ips[slot.name]),
                console=machines[slot.name].console,
            )
            for slot in slots
        ]
        app_node = next(
            (s for s in slots if s.role == NodeRole.WORKER),
            NodeSlot(team.name, NodeRole.CONTROL_PLANE, 1),
        )
        self.api_ips = [
            machines[s.name].public_ip for s in slots if s.role == NodeRole.CONTROL_PLANE
        ]
        workers = [machines[s.name].public_ip for s in slots if s.role == NodeRole.WORKER]
        self.app_ips = workers or [machines[app_node.name].public_ip]
        app_dns_name = args.get("app_dns_name")
        self.app_url = (
            pulumi.Output.from_input(f"http://{app_dns_name}:{NODE_PORT}")
            if app_dns_name
            else machines[app_node.name].public_ip.apply(lambda ip: f"http://{ip}:{NODE_PORT}")
        )
        self.rendered_files = {
            **(self.mesh.rendered_files if self.mesh else {}),
            **(self.agents.rendered_files if self.agents else {}),
            **self.cluster.rendered_files,
            "goal-check.sh": _episode_goal(handle),
        }
        for brk in self.breaks:
            self.rendered_files.update(brk.rendered_files)
        for node, machine in machines.items():
            if isinstance(machine, ExistingMachine):
                self.rendered_files[f"{node}/reset.sh"] = pulumi.Output.from_input(
                    render_reset_script()
                )
        self.register_outputs({"apiEndpoint": self.cluster.api_endpoint, "appUrl": self.app_url})

    @staticmethod
    def _settings(slot: NodeSlot, args: TeamArgs) -> MachinesConfig:
        return args["config"].team_machines(args["team"], worker=slot.role == NodeRole.WORKER)

    def _machine(self, name: str, slot: NodeSlot, args: TeamArgs) -> Machine:
        return create_machine(
            f"{name}-{slot.role.value}-{slot.index}",
            MachineHost.for_node(slot),
            self._settings(slot, args),
            existing=args["team"].hosts.get(host_key(slot)),
            name_prefix=args["name_prefix"],
            ssh_public_key=args["ssh_public_key"],
            ssh_private_key=args["ssh_private_key"],
            keys=args["keys"],
            parent=self,
        )


def _episode_goal(cluster: ClusterHandle) -> pulumi.Output[str]:
    """The episode's goal for this team: its app serving v2, judged on control-plane-1."""
    first = next(n for n in cluster.nodes if n.role == NodeRole.CONTROL_PLANE and n.slot.index == 1)
    workload = cluster.workload
    return first.cluster_ip.apply(lambda ip: render_goal_check(ip, version="v2", workload=workload))


def _instance(machine: Machine) -> pulumi.Output[str]:
    """Something that changes when the machine is replaced: its id (else its address)."""
    resource = machine.resource
    if isinstance(resource, pulumi.CustomResource):
        return resource.id
    return machine.public_ip
