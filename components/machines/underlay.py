"""Underlay MTUs of the substrates, and the mesh MTU that fits inside the smallest of them."""

from __future__ import annotations

from collections.abc import Iterable

GCP_VPC_MTU = 1460
"""A GCP VPC network's MTU unless it was created with another (the default network's)."""
ETHERNET_MTU = 1500
"""Plain Ethernet: Scaleway Elastic Metal, Equinix Metal and most machines you already have."""
WIREGUARD_OVERHEAD = 80
"""WireGuard's worst case per packet: outer IPv6 (40) + UDP (8) + WireGuard header (32)."""
MIN_MESH_MTU = 1280
"""The smallest MTU WireGuard (IPv6) accepts on its interface."""

SUBSTRATE_MTU = {"gcp": GCP_VPC_MTU, "scaleway": ETHERNET_MTU, "equinix-metal": ETHERNET_MTU}
"""The underlay MTU of each substrate that creates its machines (`existing` hosts say theirs)."""


def mesh_mtu(underlay_mtus: Iterable[int]) -> int:
    """The largest mesh MTU that never fragments: the smallest underlay minus WireGuard's 80."""
    mtus = list(underlay_mtus)
    if not mtus:
        raise ValueError("mesh MTU: no underlay MTU given")
    mtu = min(mtus) - WIREGUARD_OVERHEAD
    if mtu < MIN_MESH_MTU:
        raise ValueError(
            f"mesh MTU: an underlay of {min(mtus)} leaves {mtu}, below WireGuard's {MIN_MESH_MTU}"
        )
    return mtu
