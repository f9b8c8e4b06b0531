"""Machines on Equinix Metal: an hourly device that trusts the episode's project SSH key.

Equinix Metal shut down on 2026-06-30: this module stays for stacks that still name it, and
is imported only by them (its 2021 SDK needs pkg_resources, absent on Python 3.12+).
"""

from __future__ import annotations

from typing import TypedDict

import pulumi
import pulumi_equinix_metal as metal

from components.machines.machine import MachineHost
from components.machines.underlay import ETHERNET_MTU

TYPE = "klustered:machines:EquinixMetalMachine"


class EquinixMetalMachineArgs(TypedDict):
    """One device: where, what size, and which project SSH key lets the episode in."""

    host: MachineHost
    """The host name, and the team and role its tags carry."""
    project: str
    """Equinix Metal project id."""
    metro: str
    plan: str
    os: str
    """Operating system slug, e.g. ubuntu_24_04."""
    project_ssh_key_id: pulumi.Input[str]
    """The episode's ProjectSshKey (its public key only)."""


class EquinixMetalMachine(pulumi.ComponentResource):
    """A bare-metal device for one node, billed hourly."""

    public_ip: pulumi.Output[str]
    private_ip: pulumi.Output[str]
    console: pulumi.Output[str]
    ssh_user: str = "root"
    underlay_mtu: int = ETHERNET_MTU

    def __init__(
        self, name: str, args: EquinixMetalMachineArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, {}, opts)
        self.host = args["host"]
        metro = args["metro"]
        self.device = metal.Device(
            f"{name}-device",
            hostname=self.host.hostname,
            project_id=args["project"],
            metro=metro,
            plan=args["plan"],
            operating_system=args["os"],
            billing_cycle="hourly",
            project_ssh_key_ids=[args["project_ssh_key_id"]],
            tags=["klustered", f"team:{self.host.team}", f"role:{self.host.role}"],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.public_ip = self.device.access_public_ipv4
        self.private_ip = self.device.access_private_ipv4
        # Serial over SSH: ssh <device-id>@sos.<metro>.platformequinix.com
        self.console = self.device.id.apply(lambda i: f"ssh {i}@sos.{metro}.platformequinix.com")
        self.register_outputs(
            {"publicIp": self.public_ip, "privateIp": self.private_ip, "console": self.console}
        )

    @property
    def resource(self) -> pulumi.Resource:
        """The device."""
        return self.device


def project_ssh_key(
    name: str, project: str, public_key: pulumi.Input[str], parent: pulumi.Resource
) -> metal.ProjectSshKey:
    """The episode's public SSH key registered in one Equinix Metal project."""
    return metal.ProjectSshKey(
        name,
        name=name,
        project_id=project,
        public_key=public_key,
        opts=pulumi.ResourceOptions(parent=parent),
    )
