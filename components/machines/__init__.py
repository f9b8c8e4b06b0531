"""Machines, one module per substrate (GCP, Scaleway Elastic Metal, machines you already
have, Equinix Metal), behind one interface (`machine.Machine`).

    from components.machines import GcpMachine, GcpMachineArgs, MachineHost

Every machine has `host`, `public_ip`, `private_ip`, `console`, `ssh_user` and `resource`.
Public names load their module on first use: a substrate's SDK is imported only by
programs that use it (the Equinix Metal SDK does not load on Python 3.12+).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from components.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from components.machines.equinix_metal import (
        EquinixMetalMachine,
        EquinixMetalMachineArgs,
    )
    from components.machines.existing import (
        ExistingMachine,
        ExistingMachineArgs,
    )
    from components.machines.gcp import (
        GcpMachine,
        GcpMachineArgs,
        GcpTeamFirewall,
        GcpTeamFirewallArgs,
    )
    from components.machines.machine import (
        Machine,
        MachineHost,
        root_shell,
        ssh_connection,
    )
    from components.machines.scaleway import (
        ScalewayMachine,
        ScalewayMachineArgs,
    )

EQUINIX_METAL_MODULE = "components.machines.equinix_metal"
"""The one substrate module whose SDK is optional (the `equinix-metal` extra)."""

_EXPORTS = {
    "EquinixMetalMachine": "components.machines.equinix_metal",
    "EquinixMetalMachineArgs": "components.machines.equinix_metal",
    "ExistingMachine": "components.machines.existing",
    "ExistingMachineArgs": "components.machines.existing",
    "GcpMachine": "components.machines.gcp",
    "GcpMachineArgs": "components.machines.gcp",
    "GcpTeamFirewall": "components.machines.gcp",
    "GcpTeamFirewallArgs": "components.machines.gcp",
    "Machine": "components.machines.machine",
    "MachineHost": "components.machines.machine",
    "root_shell": "components.machines.machine",
    "ssh_connection": "components.machines.machine",
    "ScalewayMachine": "components.machines.scaleway",
    "ScalewayMachineArgs": "components.machines.scaleway",
}
__all__ = [
    "EquinixMetalMachine",
    "EquinixMetalMachineArgs",
    "ExistingMachine",
    "ExistingMachineArgs",
    "GcpMachine",
    "GcpMachineArgs",
    "GcpTeamFirewall",
    "GcpTeamFirewallArgs",
    "Machine",
    "MachineHost",
    "ScalewayMachine",
    "ScalewayMachineArgs",
    "root_shell",
    "ssh_connection",
]


_load, __dir__ = lazy_exports(globals(), _EXPORTS)


def __getattr__(name: str) -> Any:
    """Load a public name's module on first use; Equinix Metal's says why it cannot load."""
    try:
        return _load(name)
    except ImportError as exc:
        if _EXPORTS.get(name) != EQUINIX_METAL_MODULE:
            raise
        raise ImportError(
            f"{__name__}.{name} needs pulumi-equinix-metal, which loads only on Python 3.11 "
            "(pip install 'klustered[equinix-metal]'); Equinix Metal shut down on 2026-06-30, "
            f"use another substrate ({exc})",
            name=exc.name,
        ) from exc
