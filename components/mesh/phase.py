"""The mesh bootstrap phase: mesh.sh with one node's wg0.conf and firewall values set on top."""

from __future__ import annotations

import ipaddress
import re

from components.nodes import NETWORK_PHASE
from components.shell import load_script, render_script

INTERFACE = "wg0"
"""The mesh interface on every node (wg-quick@wg0)."""
CONF_DIR = "/etc/wireguard"
"""Where wg-quick reads its configs on a node."""
CHAIN = "KLUSTERED-MESH"
"""The iptables chain the mesh phase owns (flushed and refilled on every run)."""
PHASE = NETWORK_PHASE
"""Default position of the mesh phase among a node's bootstrap phases: where the cluster
runs a phase that needs the teammates' addresses (42: after 10-40, before 43-45 and kubeadm)."""

_IFNAME = re.compile(r"[A-Za-z0-9_.-]{1,15}\Z")
_CHAIN = re.compile(r"[A-Za-z0-9_-]{1,28}\Z")


def phase_file_name(phase: int = PHASE) -> str:
    """The file name the phase is listed under in the plan, `<NN>-mesh.sh`."""
    if not 0 <= phase <= 99:
        raise ValueError(f"phase number must be in 0..99, got {phase}")
    return f"{phase:02d}-mesh.sh"


def render_mesh_phase(
    *,
    node: str,
    config: str,
    address: ipaddress.IPv4Interface,
    mtu: int,
    port: int,
    interface: str = INTERFACE,
    public_interface: str = "",
    conf_dir: str = CONF_DIR,
    chain: str = CHAIN,
) -> str:
    """Return mesh.sh for `node` with its wg-quick `config` embedded (the result is secret).

    `public_interface` empty means the node's default-route interface.
    """
    for label, name in (("interface", interface), ("public interface", public_interface)):
        if name and not _IFNAME.match(name):
            raise ValueError(f"mesh {label} {name!r} is not a Linux interface name")
    if not _CHAIN.match(chain):
        raise ValueError(f"mesh chain {chain!r} is not an iptables chain name")
    if not conf_dir.startswith("/"):
        raise ValueError(f"mesh config directory {conf_dir!r} must be absolute")
    if f"Address = {address.with_prefixlen}\n" not in config or f"MTU = {mtu}\n" not in config:
        raise ValueError(f"{node}: mesh config does not carry address {address} and MTU {mtu}")
    return render_script(
        load_script("components.mesh.scripts", "mesh.sh"),
        {
            "WG_CONF": config,
            "WG_INTERFACE": interface,
            "WG_ADDRESS": address.with_prefixlen,
            "WG_MTU": str(mtu),
            "WG_PORT": str(port),
            "WG_CONF_DIR": conf_dir,
            "PUBLIC_INTERFACE": public_interface,
            "MESH_CHAIN": chain,
        },
        title=f"{node}: WireGuard mesh phase",
    )
