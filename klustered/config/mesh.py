"""`klustered:mesh`: the WireGuard mesh between the nodes of each cluster."""

from __future__ import annotations

from pydantic import Field, field_validator

from components.mesh.addresses import DEFAULT_CIDR
from components.mesh.wgconf import DEFAULT_KEEPALIVE, DEFAULT_PORT
from klustered.config.model import Cidr, ConfigModel, check_cidr


class MeshConfig(ConfigModel):
    """The WireGuard mesh between the nodes of each cluster."""

    enabled: bool = False
    cidr: Cidr = DEFAULT_CIDR
    port: int = Field(default=DEFAULT_PORT, ge=1, le=65535)
    mtu: int | None = Field(default=None, ge=1280, le=9000)
    """The WireGuard (and Cilium) MTU; default: the team's smallest underlay MTU - 80."""
    keepalive: int = Field(default=DEFAULT_KEEPALIVE, ge=0, le=3600)

    @field_validator("cidr")
    @classmethod
    def _cidr(cls, value: str) -> str:
        return check_cidr(value)
