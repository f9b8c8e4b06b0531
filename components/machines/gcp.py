"""Machines on GCP Compute: an instance with the episode's public SSH key in its metadata."""

from __future__ import annotations

from typing import TypedDict

import pulumi
import pulumi_gcp as gcp

from components.machines.machine import MachineHost

TYPE = "klustered:machines:GcpMachine"
FIREWALL_TYPE = "klustered:machines:GcpTeamFirewall"
SSH_USER = "klustered"
"""GCP's guest agent creates this user from the ssh-keys metadata, with passwordless sudo."""


class GcpMachineArgs(TypedDict):
    """One instance: project, zone, size, image and the SSH public key."""

    host: MachineHost
    """The host name, and the team and role its tags and labels carry."""
    project: str
    zone: str
    machine_type: str
    image: str
    network: str
    ssh_public_key: pulumi.Input[str]
    """The episode's OpenSSH public key (metadata holds nothing secret)."""


def instance_name(host: MachineHost) -> str:
    """The instance name: the host name (a valid GCE name: lower-case, digits, dashes)."""
    return host.hostname


class GcpMachine(pulumi.ComponentResource):
    """A Compute Engine instance for one node, with a public address and serial console."""

    public_ip: pulumi.Output[str]
    private_ip: pulumi.Output[str]
    console: pulumi.Output[str]
    ssh_user: str = SSH_USER

    def __init__(
        self, name: str, args: GcpMachineArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, {}, opts)
        self.host = args["host"]
        project, zone, host = args["project"], args["zone"], instance_name(self.host)
        keys = pulumi.Output.from_input(args["ssh_public_key"]).apply(
            lambda key: f"{SSH_USER}:{key.strip()} {SSH_USER}"
        )
        self.instance = gcp.compute.Instance(
            f"{name}-instance",
            name=host,
            project=project,
            zone=zone,
            machine_type=args["machine_type"],
            boot_disk=gcp.compute.InstanceBootDiskArgs(
                initialize_params=gcp.compute.InstanceBootDiskInitializeParamsArgs(
                    image=args["image"], size=50, type="pd-balanced"
                )
            ),
            network_interfaces=[
                gcp.compute.InstanceNetworkInterfaceArgs(
                    network=args["network"],
                    access_configs=[gcp.compute.InstanceNetworkInterfaceAccessConfigArgs()],
                )
            ],
            # Kubernetes routes pod traffic through nodes: GCE must not drop it.
            can_ip_forward=True,
            metadata={"ssh-keys": keys, "serial-port-enable": "TRUE"},
            tags=["klustered", f"klustered-{self.host.team}"],
            labels={"klustered-team": self.host.team, "klustered-role": self.host.role},
            opts=pulumi.ResourceOptions(parent=self),
        )
        nic = self.instance.network_interfaces[0]
        self.private_ip = nic.apply(lambda n: n.network_ip or "")
        self.public_ip = nic.apply(
            lambda n: n.access_configs[0].nat_ip or "" if n.access_configs else ""
        )
        self.console = pulumi.Output.from_input(
            f"ssh -p 9600 {project}.{zone}.{host}.{SSH_USER}@ssh-serialport.googleapis.com"
        )
        self.register_outputs(
            {"publicIp": self.public_ip, "privateIp": self.private_ip, "console": self.console}
        )

    @property
    def resource(self) -> pulumi.Resource:
        """The instance."""
        return self.instance


class GcpTeamFirewallArgs(TypedDict):
    """Which ports of a team's instances the world and the teammates reach."""

    team: str
    project: str
    network: str
    mesh_port: int | None
    """The WireGuard UDP port when the mesh is on."""


class GcpTeamFirewall(pulumi.ComponentResource):
    """Firewall rules for one team's instances: SSH, API, the app, and node-to-node traffic."""

    def __init__(
        self, name: str, args: GcpTeamFirewallArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(FIREWALL_TYPE, name, {}, opts)
        tag = f"klustered-{args['team']}"
        public: list[gcp.compute.FirewallAllowArgs] = [
            gcp.compute.FirewallAllowArgs(
                protocol="tcp", ports=["22", "443", "3022-3026", "6443", "30000"]
            )
        ]
        if args["mesh_port"] is not None:
            public.append(
                gcp.compute.FirewallAllowArgs(protocol="udp", ports=[str(args["mesh_port"])])
            )
        self.public = gcp.compute.Firewall(
            f"{name}-public",
            project=args["project"],
            network=args["network"],
            allows=public,
            source_ranges=["0.0.0.0/0"],
            target_tags=[tag],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.internal = gcp.compute.Firewall(
            f"{name}-internal",
            project=args["project"],
            network=args["network"],
            allows=[gcp.compute.FirewallAllowArgs(protocol="all")],
            source_tags=[tag],
            target_tags=[tag],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({})
