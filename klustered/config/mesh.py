"""`klustered:mesh`: the WireGuard mesh between the nodes of each cluster."""

from __future__ import annotations

from pydantic import Field, field_validator

from klustered.config.model import Cidr, ConfigModel, check_cidr


class MeshConfig(ConfigModel):
    """The WireGuard mesh between the nodes of each cluster."""

    enabled: bool = False
    cidr: Cidr = "10.254.0.0/24"
    port: int = Field(default=51820, ge=1, le=65535)
    mtu: int = Field(default=1420, ge=1280, le=9000)
    keepalive: int = Field(default=25, ge=0, le=3600)

    @field_validator("cidr")
    @classmethod
    def _cidr(cls, value: str) -> str:
        return check_cidr(value)
