"""`klustered:mesh`: the WireGuard mesh between the nodes of each cluster."""

from __future__ import annotations

from pydantic import Field, field_validator

from components.mesh.addresses import DEFAULT_CIDR
from components.mesh.wgconf import DEFAULT_KEEPALIVE, DEFAULT_PORT
from klustered.config.model import Cidr, ConfigModel, check_cidr

RESERVED_UDP_PORTS: tuple[tuple[int, int, str], ...] = (
    (53, 53, "DNS"),
    (4240, 4240, "Cilium's health checks"),
    (4244, 4245, "Hubble"),
    (6081, 6081, "Geneve (Cilium's other tunnel mode)"),
    (8472, 8472, "Cilium's VXLAN overlay"),
    (51871, 51871, "Cilium's own WireGuard encryption"),
    (30000, 32767, "the Kubernetes NodePort range"),
)
"""UDP ports the nodes already use: the mesh may not listen on them."""


class MeshConfig(ConfigModel):
    """The WireGuard mesh between the nodes of each cluster."""

    enabled: bool = False
    cidr: Cidr = DEFAULT_CIDR
    port: int = Field(default=DEFAULT_PORT, ge=1, le=65535)
    """UDP; not a port the nodes already use (Cilium's VXLAN 8472, Kubernetes, access)."""
    mtu: int | None = Field(default=None, ge=1280, le=9000)
    """The WireGuard (and Cilium) MTU; default: the team's smallest underlay MTU - 80."""
    keepalive: int = Field(default=DEFAULT_KEEPALIVE, ge=0, le=3600)

    @field_validator("cidr")
    @classmethod
    def _cidr(cls, value: str) -> str:
        return check_cidr(value)

    @field_validator("port")
    @classmethod
    def _port(cls, value: int) -> int:
        for low, high, user in RESERVED_UDP_PORTS:
            if low <= value <= high:
                raise ValueError(f"{value} is taken on every node by {user}")
        return value
