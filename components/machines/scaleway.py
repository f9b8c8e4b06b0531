"""Machines on Scaleway Elastic Metal: an hourly bare-metal server that trusts the episode key.

Offer and OS are looked up by name in the server's zone. The server gets no Private
Network (on Elastic Metal it is a VLAN the OS must configure by hand): its nodes reach
each other over the WireGuard mesh, so a team on Scaleway needs `mesh.enabled`.
"""

from __future__ import annotations

from typing import TypedDict

import pulumi
from pulumiverse_scaleway import elasticmetal, iam

from components.machines.machine import MachineHost
from components.machines.scaleway_catalog import ZONES, os_user, split_os
from components.machines.underlay import ETHERNET_MTU

TYPE = "klustered:machines:ScalewayMachine"
SUBSCRIPTION_PERIOD = "hourly"


class ScalewayMachineArgs(TypedDict):
    """One Elastic Metal server: project, zone, offer and OS by name, and the episode key."""

    host: MachineHost
    """The host name, and the team and role its tags carry."""
    project: str
    """Scaleway project id."""
    zone: str
    offer: str
    """Offer name, e.g. EM-A610R-NVME."""
    os: str
    """OS name and version, e.g. `Ubuntu 24.04 LTS (Noble Numbat)`."""
    name_prefix: str
    """Prefix of the server name (the stack)."""
    ssh_key_id: pulumi.Input[str]
    """The episode's iam.SshKey in the project (its public key only)."""


class ScalewayMachine(pulumi.ComponentResource):
    """A bare-metal Elastic Metal server for one node, billed by the hour."""

    public_ip: pulumi.Output[str]
    private_ip: pulumi.Output[str]
    """No Private Network is attached: the public address (teammates use the mesh)."""
    console: pulumi.Output[str]
    ssh_user: str
    underlay_mtu: int = ETHERNET_MTU

    def __init__(
        self, name: str, args: ScalewayMachineArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, {}, opts)
        self.host = args["host"]
        zone = args["zone"]
        if zone not in ZONES:
            raise ValueError(f"{zone!r} is not an Elastic Metal zone ({', '.join(ZONES)})")
        os_name, os_version = split_os(args["os"])
        self.ssh_user = os_user(args["os"])
        invoke = pulumi.InvokeOptions(parent=self)
        offer = elasticmetal.get_offer_output(
            name=args["offer"], zone=zone, subscription_period=SUBSCRIPTION_PERIOD, opts=invoke
        )
        os_image = elasticmetal.get_os_output(
            name=os_name, version=os_version, zone=zone, opts=invoke
        )
        self.server = elasticmetal.Server(
            f"{name}-server",
            name=f"{args['name_prefix']}-{self.host.hostname}",
            hostname=self.host.hostname,
            project_id=args["project"],
            zone=zone,
            offer=offer.offer_id,
            os=os_image.os_id,
            ssh_key_ids=[args["ssh_key_id"]],
            tags=[
                "klustered",
                f"klustered-stack:{args['name_prefix']}",
                f"team:{self.host.team}",
                f"role:{self.host.role}",
            ],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.public_ip = self.server.ipv4s.apply(lambda ips: (ips[0].address or "") if ips else "")
        self.private_ip = self.public_ip
        self.console = self.server.id.apply(
            lambda i: f"Scaleway console, Elastic Metal server {i}: Remote Access (KVM over IP)"
        )
        self.register_outputs(
            {"publicIp": self.public_ip, "privateIp": self.private_ip, "console": self.console}
        )

    @property
    def resource(self) -> pulumi.Resource:
        """The server."""
        return self.server


def project_ssh_key(
    name: str,
    key_name: str,
    project: str,
    public_key: pulumi.Input[str],
    parent: pulumi.Resource,
) -> iam.SshKey:
    """The episode's public SSH key registered in one Scaleway project as `key_name`."""
    return iam.SshKey(
        name,
        name=key_name,
        project_id=project,
        public_key=pulumi.Output.from_input(public_key).apply(lambda k: k.strip()),
        opts=pulumi.ResourceOptions(parent=parent),
    )
