"""Machines on GCP Compute: an instance with the episode's public SSH key in its metadata."""

from __future__ import annotations

from typing import NotRequired, TypedDict

import pulumi
import pulumi_gcp as gcp

from components.machines.defaults import GCP_IMAGE, GCP_MACHINE_TYPE, GCP_NETWORK, GCP_ZONE
from components.machines.machine import MachineHost

TYPE = "klustered:machines:GcpMachine"
FIREWALL_TYPE = "klustered:machines:GcpTeamFirewall"
SSH_USER = "klustered"
"""GCP's guest agent creates this user from the ssh-keys metadata, with passwordless sudo."""


class GcpMachineArgs(TypedDict):
    """One instance: the host, project and SSH public key (required); zone, size, image and
    network (optional: europe-west4-a, e2-standard-4, Ubuntu 24.04, default)."""

    host: MachineHost
    """The host name (the instance name), and the team and role its tags and labels carry:
    `MachineHost.for_node(slot)` for a cluster node."""
    project: str
    """The GCP project id."""
    ssh_public_key: pulumi.Input[str]
    """The episode's OpenSSH public key (metadata holds nothing secret)."""
    zone: NotRequired[str]
    """Default GCP_ZONE (europe-west4-a)."""
    machine_type: NotRequired[str]
    """Default GCP_MACHINE_TYPE (e2-standard-4)."""
    image: NotRequired[str]
    """Default GCP_IMAGE (ubuntu-os-cloud/ubuntu-2404-lts-amd64)."""
    network: NotRequired[str]
    """Default GCP_NETWORK (default)."""


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
        """Create the instance for `args["host"]` (`MachineHost.for_node(slot)` for a
        cluster node) in `args["project"]`.

        Optional args: `zone` (default "europe-west4-a"), `machine_type` (default
        "e2-standard-4"), `image` (default "ubuntu-os-cloud/ubuntu-2404-lts-amd64"),
        `network` (default "default"). Outputs: `public_ip`, `private_ip`, `console`; the
        login is `ssh_user` ("klustered", passwordless sudo).
        """
        super().__init__(TYPE, name, {}, opts)
        self.host = args["host"]
        project, host = args["project"], instance_name(self.host)
        zone = args.get("zone", GCP_ZONE)
        keys = pulumi.Output.from_input(args["ssh_public_key"]).apply(
            lambda key: f"{SSH_USER}:{key.strip()} {SSH_USER}"
        )
        self.instance = gcp.compute.Instance(
            f"{name}-instance",
            name=host,
            project=project,
            zone=zone,
            machine_type=args.get("machine_type", GCP_MACHINE_TYPE),
            boot_disk=gcp.compute.InstanceBootDiskArgs(
                initialize_params=gcp.compute.InstanceBootDiskInitializeParamsArgs(
                    image=args.get("image", GCP_IMAGE), size=50, type="pd-balanced"
                )
            ),
            network_interfaces=[
                gcp.compute.InstanceNetworkInterfaceArgs(
                    network=args.get("network", GCP_NETWORK),
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
    network: NotRequired[str]
    """Default GCP_NETWORK (default)."""
    mesh_port: NotRequired[int | None]
    """The WireGuard UDP port when the mesh is on; default None (mesh off)."""


class GcpTeamFirewall(pulumi.ComponentResource):
    """Firewall rules for one team's instances: SSH, API, the app, and node-to-node traffic."""

    def __init__(
        self, name: str, args: GcpTeamFirewallArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        """Open SSH, Teleport, the API and the app to the world, and everything between the
        team's instances, on `args["network"]` (default "default") of `args["project"]`;
        with `mesh_port` also the WireGuard UDP port."""
        super().__init__(FIREWALL_TYPE, name, {}, opts)
        tag = f"klustered-{args['team']}"
        network = args.get("network", GCP_NETWORK)
        mesh_port = args.get("mesh_port")
        public: list[gcp.compute.FirewallAllowArgs] = [
            gcp.compute.FirewallAllowArgs(
                protocol="tcp", ports=["22", "443", "3022-3026", "6443", "30000"]
            )
        ]
        if mesh_port is not None:
            public.append(gcp.compute.FirewallAllowArgs(protocol="udp", ports=[str(mesh_port)]))
        self.public = gcp.compute.Firewall(
            f"{name}-public",
            project=args["project"],
            network=network,
            allows=public,
            source_ranges=["0.0.0.0/0"],
            target_tags=[tag],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.internal = gcp.compute.Firewall(
            f"{name}-internal",
            project=args["project"],
            network=network,
            allows=[gcp.compute.FirewallAllowArgs(protocol="all")],
            source_tags=[tag],
            target_tags=[tag],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({})
