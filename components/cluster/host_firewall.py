"""The host firewall of a node's public interface, as plain values for phase 43.

Inbound on the public interface is dropped except replies, ICMP, DHCP, the ports below,
the mesh's UDP port (when the mesh is on) and, when the cluster runs on the underlay (no
mesh), the teammates' cluster addresses. Everything else (loopback, the mesh interface,
pod interfaces) is not filtered here.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass

from components.workload.manifests import NODE_PORT

CHAIN = "KLUSTERED-FIREWALL"
"""The iptables chain phase 43 owns (flushed and refilled on every run)."""
SSH_PORT = 22
API_SERVER_PORT = 6443
TELEPORT_PORTS = ("443", "3022:3026")
"""Teleport's proxy (443) and its node, auth and tunnel ports (3022-3026)."""
PUBLIC_TCP_PORTS: tuple[str, ...] = (
    str(SSH_PORT),
    *TELEPORT_PORTS,
    str(API_SERVER_PORT),
    str(NODE_PORT),
)
"""TCP ports open to anyone on the public interface: SSH, Teleport, the API, the app."""

_PORT = re.compile(r"^(\d{1,5})(?::(\d{1,5}))?\Z")
_IFNAME = re.compile(r"^[A-Za-z0-9_.-]{1,15}\Z")


@dataclass(frozen=True)
class HostFirewallSpec:
    """What the public interface lets in."""

    tcp_ports: Sequence[str] = PUBLIC_TCP_PORTS
    """Ports or `a:b` ranges."""
    udp_ports: Sequence[int] = ()
    """The mesh's WireGuard port when the mesh is on."""
    trusted_sources: Sequence[str] = ()
    """IPv4 addresses let in on any port (teammates on the underlay)."""
    public_interface: str = ""
    """Empty: the interface of the default route."""


def _check_port(text: str) -> str:
    match = _PORT.fullmatch(text)
    if not match or not all(1 <= int(p) <= 65535 for p in match.groups() if p is not None):
        raise ValueError(f"firewall port {text!r} is not a port or a:b range")
    return text


def firewall_env(spec: HostFirewallSpec) -> dict[str, str]:
    """The variables phase 43 reads."""
    if not spec.tcp_ports:
        raise ValueError("firewall: at least one TCP port (SSH) must stay open")
    if spec.public_interface and not _IFNAME.match(spec.public_interface):
        raise ValueError(f"firewall interface {spec.public_interface!r} is not an interface name")
    sources = [str(ipaddress.IPv4Address(s)) for s in spec.trusted_sources]
    return {
        "FIREWALL_CHAIN": CHAIN,
        "PUBLIC_INTERFACE": spec.public_interface,
        "TCP_PORTS": ",".join(_check_port(p) for p in spec.tcp_ports),
        "UDP_PORTS": ",".join(_check_port(str(p)) for p in spec.udp_ports),
        "TRUSTED_SOURCES": " ".join(dict.fromkeys(sources)),
    }
