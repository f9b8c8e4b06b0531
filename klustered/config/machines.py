"""`klustered:machines` and a team's overrides: which substrate runs the nodes, and how."""

from __future__ import annotations

from typing import Any, Literal

from klustered.config.model import ConfigModel
from klustered.config.names import (
    GcpImage,
    GcpMachineType,
    GcpNetwork,
    GcpProject,
    GcpZone,
    MetalMetro,
    MetalOs,
    MetalPlan,
    MetalProject,
)


class EquinixMetalConfig(ConfigModel):
    """Equinix Metal device settings."""

    project: MetalProject | None = None
    metro: MetalMetro = "am"
    plan: MetalPlan = "c3.small.x86"
    os: MetalOs = "ubuntu_24_04"


class GcpConfig(ConfigModel):
    """GCP Compute instance settings."""

    project: GcpProject | None = None
    zone: GcpZone = "europe-west4-a"
    machine_type: GcpMachineType = "e2-standard-4"
    image: GcpImage = "ubuntu-os-cloud/ubuntu-2404-lts-amd64"
    network: GcpNetwork = "default"


Provider = Literal["equinix-metal", "gcp"]


class MachinesConfig(ConfigModel):
    """Machine defaults for every node; a team may override any field."""

    provider: Provider = "equinix-metal"
    equinix_metal: EquinixMetalConfig = EquinixMetalConfig()
    gcp: GcpConfig = GcpConfig()


class EquinixMetalOverride(ConfigModel):
    """A team's partial override of the Equinix Metal defaults."""

    project: MetalProject | None = None
    metro: MetalMetro | None = None
    plan: MetalPlan | None = None
    os: MetalOs | None = None


class GcpOverride(ConfigModel):
    """A team's partial override of the GCP defaults."""

    project: GcpProject | None = None
    zone: GcpZone | None = None
    machine_type: GcpMachineType | None = None
    image: GcpImage | None = None
    network: GcpNetwork | None = None


class MachinesOverride(ConfigModel):
    """A team's partial override of the episode's machine defaults."""

    provider: Provider | None = None
    equinix_metal: EquinixMetalOverride | None = None
    gcp: GcpOverride | None = None

    def apply(self, base: MachinesConfig) -> MachinesConfig:
        """Return `base` with every field set here replacing the default."""
        updates: dict[str, Any] = {}
        if self.provider is not None:
            updates["provider"] = self.provider
        if self.equinix_metal is not None:
            updates["equinix_metal"] = base.equinix_metal.model_copy(
                update=self.equinix_metal.model_dump(exclude_none=True)
            )
        if self.gcp is not None:
            updates["gcp"] = base.gcp.model_copy(update=self.gcp.model_dump(exclude_none=True))
        return base.model_copy(update=updates)
