"""Machines, one module per substrate (GCP Compute, Equinix Metal), behind one interface.

    from components.machines import GcpMachine, GcpMachineArgs

Every machine has `slot`, `public_ip`, `private_ip`, `console`, `ssh_user` and `resource`
(the `Machine` protocol). Public names load their module on first use: a substrate's SDK
is imported only by programs that use it (the Equinix Metal SDK does not load on Python
3.12+).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from components.machines.equinix_metal import (
        EquinixMetalMachine,
        EquinixMetalMachineArgs,
        project_ssh_key,
    )
    from components.machines.gcp import (
        GcpMachine,
        GcpMachineArgs,
        GcpTeamFirewall,
        GcpTeamFirewallArgs,
    )
    from components.machines.machine import Machine, MachineHost, root_shell, ssh_connection

_EXPORTS = {
    "EquinixMetalMachine": "components.machines.equinix_metal",
    "EquinixMetalMachineArgs": "components.machines.equinix_metal",
    "project_ssh_key": "components.machines.equinix_metal",
    "GcpMachine": "components.machines.gcp",
    "GcpMachineArgs": "components.machines.gcp",
    "GcpTeamFirewall": "components.machines.gcp",
    "GcpTeamFirewallArgs": "components.machines.gcp",
    "Machine": "components.machines.machine",
    "MachineHost": "components.machines.machine",
    "root_shell": "components.machines.machine",
    "ssh_connection": "components.machines.machine",
}
__all__ = [
    "EquinixMetalMachine",
    "EquinixMetalMachineArgs",
    "GcpMachine",
    "GcpMachineArgs",
    "GcpTeamFirewall",
    "GcpTeamFirewallArgs",
    "Machine",
    "MachineHost",
    "project_ssh_key",
    "root_shell",
    "ssh_connection",
]


def __getattr__(name: str) -> Any:
    """Load a public name's module on first use."""
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
