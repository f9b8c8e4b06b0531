"""Machines the host already has (provider existing): nothing is created, only reached.

The machine's resource is a remote command that checks SSH on create and resets the host
on delete (kubeadm reset, kubelet stopped, mesh and stamps removed), so a node or team
removed from the stack leaves a machine that can be bootstrapped again. The cluster's
commands are deleted with this resource: on removal they are skipped and the reset runs.
"""

from __future__ import annotations

from typing import TypedDict

import pulumi
from pulumi_command import remote

from components.machines.machine import MachineHost, root_shell, ssh_connection
from components.mesh.phase import CHAIN, CONF_DIR, INTERFACE
from components.shell import load_script, render_script

TYPE = "klustered:machines:ExistingMachine"
HOSTS_MARKER = "# klustered api endpoint"
"""The comment phase 45 puts on its /etc/hosts line (removed by the reset)."""
STATE_DIR = "/var/lib/klustered"
"""Where the phases keep their stamps (removed by the reset)."""
CHECK_SSH = "cat >/dev/null"
"""Create and update: prove SSH and the key work, change nothing (stdin is the reset)."""
CONSOLE = "none: an existing machine (use its own out-of-band access)"


def render_reset_script() -> str:
    """The reset a host runs when its node leaves the stack (no secret in it)."""
    return render_script(
        load_script("components.machines.scripts", "reset.sh"),
        {
            "WG_INTERFACE": INTERFACE,
            "WG_CONF_DIR": CONF_DIR,
            "MESH_CHAIN": CHAIN,
            "HOSTS_MARKER": HOSTS_MARKER,
            "STATE_DIR": STATE_DIR,
        },
        title="reset of an existing machine leaving the stack",
    )


class ExistingMachineArgs(TypedDict):
    """A host the user already has: where it is, who logs in, its MTU, the key that gets in."""

    host: MachineHost
    """The host name, and the team and role its tags carry."""
    address: str
    """Public address or DNS name: SSH, the API certificate's SANs, mesh endpoint."""
    private_address: str
    """The address teammates reach it on without the mesh (kubelet, etcd)."""
    user: str
    """The SSH login (root, or a user with passwordless sudo)."""
    underlay_mtu: int
    ssh_private_key: pulumi.Input[str]
    """klustered:sshKey (secret); its public key must already be in the user's keys."""


class ExistingMachine(pulumi.ComponentResource):
    """An existing host as a machine: its addresses, login, and a reset when it leaves."""

    public_ip: pulumi.Output[str]
    private_ip: pulumi.Output[str]
    console: pulumi.Output[str]
    ssh_user: str
    underlay_mtu: int

    def __init__(
        self, name: str, args: ExistingMachineArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, {}, opts)
        self.host = args["host"]
        self.ssh_user = args["user"]
        self.underlay_mtu = args["underlay_mtu"]
        address, private_address = args["address"], args["private_address"]
        self.check = remote.Command(
            f"{name}-host",
            connection=ssh_connection(address, self.ssh_user, args["ssh_private_key"]),
            create=CHECK_SSH,
            delete=root_shell(self.ssh_user),
            stdin=render_reset_script(),
            # Another address is another host: check the new one, reset the old one. (A new
            # login or key for the same host only updates the check.)
            triggers=[address],
            logging=remote.Logging.STDOUT_AND_STDERR,
            add_previous_output_in_env=False,
            opts=pulumi.ResourceOptions(parent=self),
        )
        # Read through the command: the node's phases wait for the SSH check, and on
        # removal they are deleted (skipped: deleted_with) before the reset runs.
        self.public_ip = self.check.id.apply(lambda _: address)
        self.private_ip = self.check.id.apply(lambda _: private_address)
        self.console = pulumi.Output.from_input(CONSOLE)
        self.register_outputs(
            {"publicIp": self.public_ip, "privateIp": self.private_ip, "console": self.console}
        )

    @property
    def resource(self) -> pulumi.Resource:
        """The SSH check whose delete resets the host."""
        return self.check
