"""`klustered:machines` and a team's overrides: which substrate runs the nodes, and how."""

from __future__ import annotations

from typing import Any, Literal

from klustered.config.model import ConfigModel


class EquinixMetalConfig(ConfigModel):
    """Equinix Metal device settings."""

    project: str | None = None
    metro: str = "am"
    plan: str = "c3.small.x86"
    os: str = "ubuntu_24_04"


class GcpConfig(ConfigModel):
    """GCP Compute instance settings."""

    project: str | None = None
    zone: str = "europe-west4-a"
    machine_type: str = "e2-standard-4"
    image: str = "ubuntu-os-cloud/ubuntu-2404-lts-amd64"
    network: str = "default"


Provider = Literal["equinix-metal", "gcp"]


class MachinesConfig(ConfigModel):
    """Machine defaults for every node; a team may override any field."""

    provider: Provider = "equinix-metal"
    equinix_metal: EquinixMetalConfig = EquinixMetalConfig()
    gcp: GcpConfig = GcpConfig()


class EquinixMetalOverride(ConfigModel):
    """A team's partial override of the Equinix Metal defaults."""

    project: str | None = None
    metro: str | None = None
    plan: str | None = None
    os: str | None = None


class GcpOverride(ConfigModel):
    """A team's partial override of the GCP defaults."""

    project: str | None = None
    zone: str | None = None
    machine_type: str | None = None
    image: str | None = None
    network: str | None = None


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
