"""Machines on GCP Compute: an instance with a static address and the episode's public SSH key."""

from __future__ import annotations

import hashlib
import re
from typing import TypedDict

import pulumi
import pulumi_gcp as gcp

from components.machines.machine import MachineHost
from components.machines.underlay import GCP_VPC_MTU

TYPE = "klustered:machines:GcpMachine"
FIREWALL_TYPE = "klustered:machines:GcpTeamFirewall"
SSH_USER = "klustered"
"""GCP's guest agent creates this user from the ssh-keys metadata, with passwordless sudo."""
GCE_NAME_MAX = 63
PUBLIC_TCP_PORTS = ("22", "443", "3022-3026", "6443", "30000")
"""What the world reaches on a node: SSH, Teleport (443, 3022-3026), the API, the app."""

_GCE_NAME = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")
_ZONE = re.compile(r"^([a-z]+-[a-z]+[0-9]+)-[a-z]$")


def gce_name(prefix: str, name: str) -> str:
    """`<prefix>-<name>` as a valid GCE name: starts with a letter, [a-z0-9-], <= 63 chars.

    The prefix (the stack) keeps two stacks in one project apart. A prefix that had to be
    cleaned up or shortened gets a hash of itself, so distinct prefixes stay distinct.
    """
    clean = re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9-]+", "-", prefix.lower())).strip("-")
    if not clean or not clean[0].isalpha():
        clean = f"k-{clean}".rstrip("-")
    room = GCE_NAME_MAX - len(name) - 1
    if clean != prefix or len(clean) > room:
        suffix = "-" + hashlib.sha256(prefix.encode()).hexdigest()[:6]
        clean = clean[: max(room - len(suffix), 1)].rstrip("-") + suffix
    result = f"{clean}-{name}"
    if len(result) > GCE_NAME_MAX or not _GCE_NAME.match(result):
        raise ValueError(f"no valid GCE name for {name!r} with prefix {prefix!r}")
    return result


def machine_name(prefix: str, hostname: str) -> str:
    """The instance (and address) name: `<prefix>-<hostname>`, or the host name itself when
    it already carries the prefix (the Teleport machine's `teleport-<stack>`)."""
    if prefix and (hostname.startswith(f"{prefix}-") or hostname.endswith(f"-{prefix}")):
        if not _GCE_NAME.match(hostname):
            raise ValueError(f"{hostname!r} is not a valid GCE name")
        return hostname
    return gce_name(prefix, hostname)


def region_of(zone: str) -> str:
    """The region of a GCE zone (`europe-west4-a` -> `europe-west4`)."""
    match = _ZONE.match(zone)
    if match is None:
        raise ValueError(f"{zone!r} is not a GCE zone like europe-west4-a")
    return match.group(1)


def team_tag(prefix: str, team: str) -> str:
    """The network tag of one stack's team: the firewall rules target it and nothing else."""
    return gce_name(prefix, f"klustered-{team}")


class GcpMachineArgs(TypedDict):
    """One instance: project, zone, size, image, the stack prefix and the SSH public key."""

    host: MachineHost
    """The host name, and the team and role its tags and labels carry."""
    project: str
    zone: str
    machine_type: str
    image: str
    network: str
    name_prefix: str
    """Prefix of the instance, address and tag names (the stack): stacks never collide."""
    ssh_public_key: pulumi.Input[str]
    """The episode's OpenSSH public key (metadata holds nothing secret)."""


class GcpMachine(pulumi.ComponentResource):
    """A Compute Engine instance for one node, with a static public address and serial console."""

    public_ip: pulumi.Output[str]
    private_ip: pulumi.Output[str]
    console: pulumi.Output[str]
    ssh_user: str = SSH_USER
    underlay_mtu: int = GCP_VPC_MTU

    def __init__(
        self, name: str, args: GcpMachineArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, {}, opts)
        self.host = args["host"]
        project, zone = args["project"], args["zone"]
        host = machine_name(args["name_prefix"], self.host.hostname)
        labels = {"klustered-team": self.host.team, "klustered-role": self.host.role}
        child = pulumi.ResourceOptions(parent=self)
        # A static address: a stop/start keeps the address in the API certificate's SANs
        # and in the teammates' mesh endpoints.
        self.address = gcp.compute.Address(
            f"{name}-address",
            name=host,
            project=project,
            region=region_of(zone),
            address_type="EXTERNAL",
            labels=labels,
            opts=child,
        )
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
                    access_configs=[
                        gcp.compute.InstanceNetworkInterfaceAccessConfigArgs(
                            nat_ip=self.address.address
                        )
                    ],
                )
            ],
            # Kubernetes routes pod traffic through nodes: GCE must not drop it.
            can_ip_forward=True,
            # A machine-type change stops and starts the instance instead of failing.
            allow_stopping_for_update=True,
            # OS Login would ignore the ssh-keys metadata the episode's key is in.
            metadata={"ssh-keys": keys, "serial-port-enable": "TRUE", "enable-oslogin": "FALSE"},
            tags=[team_tag(args["name_prefix"], self.host.team)],
            labels=labels,
            opts=child,
        )
        nic = self.instance.network_interfaces[0]
        self.private_ip = nic.apply(lambda n: n.network_ip or "")
        # The static address, read back from the instance: whoever uses it waits for the VM.
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
    name_prefix: str
    """The stack: the rules target this stack's team tag only."""
    mesh_port: int | None
    """The WireGuard UDP port when the mesh is on."""


class GcpTeamFirewall(pulumi.ComponentResource):
    """Firewall rules for one team's instances: SSH, API, Teleport, the app, the mesh, teammates."""

    def __init__(
        self, name: str, args: GcpTeamFirewallArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(FIREWALL_TYPE, name, {}, opts)
        tag = team_tag(args["name_prefix"], args["team"])
        public: list[gcp.compute.FirewallAllowArgs] = [
            gcp.compute.FirewallAllowArgs(protocol="tcp", ports=list(PUBLIC_TCP_PORTS))
        ]
        if args["mesh_port"] is not None:
            public.append(
                gcp.compute.FirewallAllowArgs(protocol="udp", ports=[str(args["mesh_port"])])
            )
        self.public = gcp.compute.Firewall(
            f"{name}-public",
            project=args["project"],
            network=args["network"],
            direction="INGRESS",
            allows=public,
            source_ranges=["0.0.0.0/0"],
            target_tags=[tag],
            opts=pulumi.ResourceOptions(parent=self),
        )
        # Node to node inside the team (kubelet, etcd, Cilium, NodePorts): by tag, so only
        # this stack's instances of this team match.
        self.internal = gcp.compute.Firewall(
            f"{name}-internal",
            project=args["project"],
            network=args["network"],
            direction="INGRESS",
            allows=[gcp.compute.FirewallAllowArgs(protocol="all")],
            source_tags=[tag],
            target_tags=[tag],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({})
