"""The Episode: one stack's teams turned into machines, meshes, clusters and the app."""

from __future__ import annotations

import dataclasses
import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

import pulumi
import pulumi_equinix_metal as metal
import pulumi_tls as tls

from breaks.catalog import resolve_scenario
from breaks.component import Break
from components.cluster.component import Cluster, ClusterNodeArgs, NodePhaseArgs
from components.machines.equinix_metal import EquinixMetalMachine, project_ssh_key
from components.machines.gcp import GcpMachine, GcpTeamFirewall
from components.machines.machine import Machine
from components.mesh.addresses import mesh_addresses
from components.mesh.component import Mesh
from components.nodes import NodeRole, NodeSlot, node_slots
from components.workload.component import Workload
from components.workload.manifests import NODE_PORT
from klustered.config import MachinesConfig, StackConfig, TeamConfig

MESH_PHASE = 42
"""The mesh comes up after the node-local phases (10-40) and before kubeadm (45+): it is
the first phase that needs the teammates' addresses."""


class EpisodeArgs(TypedDict):
    """Inputs of an Episode."""

    config: StackConfig
    """The validated stack config."""
    base_dir: str
    """The project directory: break paths in the stack file are relative to it."""


class TeamArgs(TypedDict):
    """Inputs of one team's slice of the episode."""

    team: TeamConfig
    config: StackConfig
    ssh_public_key: pulumi.Input[str]
    ssh_private_key: pulumi.Input[str]
    equinix_keys: dict[str, metal.ProjectSshKey]
    """The episode's ProjectSshKey per Equinix Metal project."""
    mesh_addresses: dict[str, ipaddress.IPv4Interface]
    """Every node's mesh address (empty when the mesh is off)."""
    base_dir: str


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
    nodes: list[NodeOutput]
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
        gcp_networks = {
            (m.gcp.project or "", m.gcp.network)
            for m in (self._settings(slot, args) for slot in slots)
            if m.provider == "gcp"
        }
        for project, network in sorted(gcp_networks):
            suffix = "" if len(gcp_networks) == 1 else f"-{project}-{network}"
            GcpTeamFirewall(
                f"{name}-firewall{suffix}",
                {
                    "team": team.name,
                    "project": project,
                    "network": network,
                    "mesh_port": config.mesh.port if config.mesh.enabled else None,
                },
                child,
            )

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
                    "mtu": config.mesh.mtu,
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
        self.cluster = Cluster(
            f"{name}-cluster",
            {
                "team": team.name,
                "kubernetes_version": config.kubernetes.version,
                "pod_cidr": config.kubernetes.pod_cidr,
                "service_cidr": config.kubernetes.service_cidr,
                "nodes": nodes,
                "ssh_private_key": args["ssh_private_key"],
                "cilium_mtu": config.mesh.mtu if config.mesh.enabled else 0,
            },
            child,
        )
        self.workload = Workload(
            f"{name}-workload",
            {
                "provider": self.cluster.provider,
                "image": config.workload.image,
                "postgres_image": config.workload.postgres_image,
                "baseline": config.workload.baseline,
            },
            child,
        )

        handle = dataclasses.replace(self.cluster.handle, workload=self.workload.handle)
        self.breaks = [
            Break(
                f"{name}-break-{ref.label}",
                {
                    "cluster": handle,
                    "scenario": resolve_scenario(
                        id=ref.id, path=ref.path, inline=ref.inline, base_dir=Path(args["base_dir"])
                    ),
                    "targets": ref.targets,
                    "params": dict(ref.params),
                    "rehearse": ref.rehearse,
                    "depends_on": [self.workload],
                },
                pulumi.ResourceOptions(parent=self.cluster),
            )
            for ref in team.breaks
        ]

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
        self.app_url = machines[app_node.name].public_ip.apply(
            lambda ip: f"http://{ip}:{NODE_PORT}"
        )
        self.rendered_files = {
            **(self.mesh.rendered_files if self.mesh else {}),
            **self.cluster.rendered_files,
            "goal-check.sh": self.cluster.handle.goal_check,
        }
        for brk in self.breaks:
            self.rendered_files.update(brk.rendered_files)
        self.register_outputs({"apiEndpoint": self.cluster.api_endpoint, "appUrl": self.app_url})

    @staticmethod
    def _settings(slot: NodeSlot, args: TeamArgs) -> MachinesConfig:
        return args["config"].team_machines(args["team"], worker=slot.role == NodeRole.WORKER)

    def _machine(self, name: str, slot: NodeSlot, args: TeamArgs) -> Machine:
        settings = self._settings(slot, args)
        child = pulumi.ResourceOptions(parent=self)
        machine_name = f"{name}-{slot.role.value}-{slot.index}"
        if settings.provider == "gcp":
            gcp = settings.gcp
            return GcpMachine(
                machine_name,
                {
                    "slot": slot,
                    "project": gcp.project or "",
                    "zone": gcp.zone,
                    "machine_type": gcp.machine_type,
                    "image": gcp.image,
                    "network": gcp.network,
                    "ssh_public_key": args["ssh_public_key"],
                },
                child,
            )
        em = settings.equinix_metal
        return EquinixMetalMachine(
            machine_name,
            {
                "slot": slot,
                "project": em.project or "",
                "metro": em.metro,
                "plan": em.plan,
                "os": em.os,
                "project_ssh_key_id": args["equinix_keys"][em.project or ""].id,
            },
            child,
        )


class Episode(pulumi.ComponentResource):
    """One episode: the automation's SSH key and a Team per configured team."""

    ssh_public_key: pulumi.Output[str]
    teams: dict[str, Team]

    def __init__(
        self, name: str, args: EpisodeArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("klustered:episode:Episode", name, {}, opts)
        config = args["config"]
        child = pulumi.ResourceOptions(parent=self)
        ssh_key = tls.PrivateKey(f"{name}-ssh-key", algorithm="ED25519", opts=child)
        self.ssh_public_key = ssh_key.public_key_openssh

        equinix_projects = sorted(
            {
                machines.equinix_metal.project or ""
                for team in config.teams
                for machines in (
                    config.team_machines(team),
                    config.team_machines(team, worker=True),
                )
                if machines.provider == "equinix-metal"
            }
        )
        equinix_keys = {
            project: project_ssh_key(
                f"{name}-ssh-key-{project}"
                if len(equinix_projects) > 1
                else f"{name}-ssh-key-metal",
                project,
                self.ssh_public_key,
                self,
            )
            for project in equinix_projects
        }
        addresses = (
            mesh_addresses(
                config.mesh.cidr, [(t.name, t.control_planes, t.workers) for t in config.teams]
            )
            if config.mesh.enabled
            else {}
        )
        self.teams = {
            team.name: Team(
                f"{name}-{team.name}",
                {
                    "team": team,
                    "config": config,
                    "ssh_public_key": self.ssh_public_key,
                    "ssh_private_key": ssh_key.private_key_openssh,
                    "equinix_keys": equinix_keys,
                    "mesh_addresses": addresses,
                    "base_dir": args["base_dir"],
                },
                child,
            )
            for team in config.teams
        }
        self.register_outputs({"sshPublicKey": self.ssh_public_key})

    @property
    def rendered_files(self) -> dict[str, pulumi.Output[str]]:
        """Every file a node receives, keyed `<team>/<node>/<file>`."""
        return {
            f"{team}/{path}": content
            for team, component in self.teams.items()
            for path, content in component.rendered_files.items()
        }
