"""What every substrate's machine exposes, and the SSH connection pulumi-command uses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import pulumi
from pulumi_command import remote

from components.nodes import NodeSlot

SSH_DIAL_ERROR_LIMIT = 60
"""Dial attempts before a command gives up (a fresh machine takes minutes to boot)."""
SSH_PER_DIAL_TIMEOUT = 10
"""Seconds per SSH dial attempt."""


@dataclass(frozen=True)
class MachineHost:
    """What a machine is for: its host name, and the team and role its tags carry."""

    hostname: str
    team: str
    """The team it serves (a tag and label on clouds; `teleport` for the access server)."""
    role: str
    """control-plane, worker, or teleport."""

    @classmethod
    def for_node(cls, slot: NodeSlot) -> MachineHost:
        """A cluster node's machine: named after the node."""
        return cls(hostname=slot.name, team=slot.team, role=slot.role.value)


class Machine(Protocol):
    """A booted host that takes the episode's SSH key: addresses, login and console."""

    host: MachineHost
    public_ip: pulumi.Output[str]
    private_ip: pulumi.Output[str]
    console: pulumi.Output[str]
    """How to reach the machine's serial console when SSH is gone (out of band)."""
    ssh_user: str
    underlay_mtu: int
    """The MTU of the network the machine's public address is on (the mesh fits inside it)."""

    @property
    def resource(self) -> pulumi.Resource:
        """The resource whose creation means the machine exists (for deleted_with)."""
        ...


def ssh_connection(
    host: pulumi.Input[str], user: str, private_key: pulumi.Input[str]
) -> remote.ConnectionArgs:
    """The connection every remote command to a machine uses; the key stays secret."""
    return remote.ConnectionArgs(
        host=host,
        user=user,
        private_key=pulumi.Output.secret(private_key),
        dial_error_limit=SSH_DIAL_ERROR_LIMIT,
        per_dial_timeout=SSH_PER_DIAL_TIMEOUT,
    )


def root_shell(user: str) -> str:
    """The command that runs a script from stdin as root for this login."""
    return "bash -s" if user == "root" else "sudo -n bash -s"
