"""wg0.conf for one node: its own interface plus one peer per teammate."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

from components.machines.underlay import ETHERNET_MTU, WIREGUARD_OVERHEAD
from components.mesh.keys import is_wireguard_key

CONF_MARK = "WireGuard mesh, rendered by klustered"
"""On the first line of every wg0.conf: how a reset tells the mesh's config from a host's own."""
MIN_MTU = 1280
"""The smallest MTU IPv6 (and so WireGuard) accepts."""
DEFAULT_PORT = 51820
"""WireGuard's usual UDP port."""
DEFAULT_MTU = ETHERNET_MTU - WIREGUARD_OVERHEAD
"""1420: WireGuard inside an Ethernet (1500) underlay. On another underlay pass
`components.machines.underlay.mesh_mtu(...)` of the machines' MTUs (1380 on GCP), as the
stack config does when `mesh.mtu` is not set."""
DEFAULT_KEEPALIVE = 25
"""PersistentKeepalive in seconds: keeps NAT mappings open."""


@dataclass(frozen=True)
class WireGuardPeer:
    """A teammate as a peer: its name, public key, public address and mesh address."""

    name: str
    public_key: str
    endpoint: str
    """The teammate's public address (IPv4, IPv6 or DNS name), without the port."""
    address: ipaddress.IPv4Interface


def endpoint(host: str, port: int) -> str:
    """`host:port`, with IPv6 literals bracketed as WireGuard expects."""
    if not host or any(c.isspace() for c in host):
        raise ValueError(f"peer endpoint {host!r} is not an address or host name")
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _check_port(port: int) -> None:
    if not 1 <= port <= 65535:
        raise ValueError(f"mesh port must be in 1..65535, got {port}")


def render_wg_conf(
    *,
    node: str,
    private_key: str,
    address: ipaddress.IPv4Interface,
    port: int,
    mtu: int,
    keepalive: int,
    peers: Sequence[WireGuardPeer],
) -> str:
    """Return the wg-quick config of `node`: Address, ListenPort, MTU and its peers by name.

    Each peer is reached at its public address on the mesh port and routes only its own
    mesh address (/32). `keepalive` 0 leaves PersistentKeepalive out.
    """
    _check_port(port)
    if not MIN_MTU <= mtu <= 65535:
        raise ValueError(f"mesh mtu must be in {MIN_MTU}..65535, got {mtu}")
    if keepalive < 0 or keepalive > 65535:
        raise ValueError(f"mesh keepalive must be in 0..65535 seconds, got {keepalive}")
    if not is_wireguard_key(private_key):
        raise ValueError(f"{node}: private key is not a base64 32-byte WireGuard key")
    seen_names: set[str] = set()
    seen_keys: set[str] = set()
    seen_addresses = {address.ip}
    for peer in peers:
        if peer.name == node or peer.name in seen_names:
            raise ValueError(f"{node}: peer {peer.name} listed twice or is the node itself")
        if not is_wireguard_key(peer.public_key):
            raise ValueError(f"{node}: public key of peer {peer.name} is not a WireGuard key")
        if peer.public_key in seen_keys:
            raise ValueError(f"{node}: peer {peer.name} repeats another peer's public key")
        if peer.address.ip in seen_addresses:
            raise ValueError(f"{node}: peer {peer.name} repeats mesh address {peer.address.ip}")
        seen_names.add(peer.name)
        seen_keys.add(peer.public_key)
        seen_addresses.add(peer.address.ip)

    lines = [
        f"# {node}: {CONF_MARK} (do not edit on the node)",
        "[Interface]",
        f"PrivateKey = {private_key}",
        f"Address = {address.with_prefixlen}",
        f"ListenPort = {port}",
        f"MTU = {mtu}",
    ]
    for peer in sorted(peers, key=lambda p: p.name):
        lines += [
            "",
            "[Peer]",
            f"# {peer.name}",
            f"PublicKey = {peer.public_key}",
            f"Endpoint = {endpoint(peer.endpoint, port)}",
            f"AllowedIPs = {peer.address.ip}/32",
        ]
        if keepalive:
            lines.append(f"PersistentKeepalive = {keepalive}")
    return "\n".join(lines) + "\n"
