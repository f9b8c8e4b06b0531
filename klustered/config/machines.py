"""`klustered:machines`, a team's overrides and hosts, and `klustered:sshKey`.

Which substrate runs the nodes, and how: GCP (the default), Scaleway Elastic Metal,
machines the host already has (`existing`, listed under a team's `hosts`), and Equinix
Metal (shut down on 2026-06-30; kept for old stacks).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Any, Literal

from pydantic import Field, PlainValidator, SecretStr, field_validator

from components.machines import defaults
from components.machines.scaleway_catalog import (
    DEFAULT_OFFER,
    DEFAULT_OS,
    DEFAULT_ZONE,
    ZONES,
    is_offer_name,
    split_os,
)
from components.machines.underlay import ETHERNET_MTU
from klustered.config.errors import show
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
from klustered.ssh_keys import SECRET_PLACEHOLDER, SshKeyError, public_key_of

_DNS_NAME = re.compile(
    r"^(?=.{1,253}\Z)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\Z",
    re.IGNORECASE,
)
_LINUX_USER = re.compile(r"^[a-z_][a-z0-9_-]{0,31}\Z")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
_NODE_KEY = re.compile(r"^(control-plane|worker)-([1-9][0-9]*)\Z")


def check_zone(value: str) -> str:
    """An Elastic Metal zone, or a ValueError listing the zones."""
    if value not in ZONES:
        raise ValueError(f"{show(value)} is not an Elastic Metal zone ({', '.join(ZONES)})")
    return value


def check_offer(value: object) -> str:
    """An Elastic Metal offer name, upper-cased (the API lists them upper-case)."""
    if not isinstance(value, str) or not is_offer_name(value.upper()):
        raise ValueError(
            f"{show(value)} is not an Elastic Metal offer name like {DEFAULT_OFFER} "
            "(`scw baremetal offer list zone=<zone>`)"
        )
    return value.upper()


def check_os(value: str) -> str:
    """`<Ubuntu|Debian> <version>` as the Elastic Metal API lists it."""
    try:
        split_os(value)
    except ValueError as exc:
        raise ValueError(str(exc).replace(repr(value), show(value))) from None
    return value


def check_gce_zone(value: str) -> str:
    """A GCE zone like europe-west4-a (its region names the static addresses)."""
    if not re.match(r"^[a-z]+-[a-z]+[0-9]+-[a-z]\Z", value):
        raise ValueError(f"{show(value)} is not a GCE zone like europe-west4-a")
    return value


def check_project_id(value: str | None) -> str | None:
    """A Scaleway project id (a UUID), or None."""
    if value is not None and not _UUID.match(value):
        raise ValueError(f"{show(value)} is not a Scaleway project id (a lower-case UUID)")
    return value


class EquinixMetalConfig(ConfigModel):
    """Equinix Metal device settings (the service shut down on 2026-06-30)."""

    project: MetalProject | None = None
    metro: MetalMetro = defaults.EQUINIX_METAL_METRO
    plan: MetalPlan = defaults.EQUINIX_METAL_PLAN
    os: MetalOs = defaults.EQUINIX_METAL_OS


class GcpConfig(ConfigModel):
    """GCP Compute instance settings."""

    project: GcpProject | None = None
    zone: GcpZone = defaults.GCP_ZONE
    machine_type: GcpMachineType = defaults.GCP_MACHINE_TYPE
    image: GcpImage = defaults.GCP_IMAGE
    network: GcpNetwork = defaults.GCP_NETWORK

    @field_validator("zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return check_gce_zone(value)


class ScalewayConfig(ConfigModel):
    """Scaleway Elastic Metal server settings: offer and OS by name, billed hourly."""

    project: str | None = None
    zone: str = DEFAULT_ZONE
    offer: str = DEFAULT_OFFER
    os: str = DEFAULT_OS

    @field_validator("project")
    @classmethod
    def _project(cls, value: str | None) -> str | None:
        return check_project_id(value)

    @field_validator("zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return check_zone(value)

    @field_validator("offer", mode="plain")
    @classmethod
    def _offer(cls, value: object) -> str:
        return check_offer(value)

    @field_validator("os")
    @classmethod
    def _os(cls, value: str) -> str:
        return check_os(value)


Provider = Literal["gcp", "scaleway", "existing", "equinix-metal"]


class MachinesConfig(ConfigModel):
    """Machine defaults for every node; a team may override any field."""

    provider: Provider = "gcp"
    gcp: GcpConfig = GcpConfig()
    scaleway: ScalewayConfig = ScalewayConfig()
    equinix_metal: EquinixMetalConfig = EquinixMetalConfig()


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

    @field_validator("zone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return None if value is None else check_gce_zone(value)


class ScalewayOverride(ConfigModel):
    """A team's partial override of the Scaleway defaults."""

    project: str | None = None
    zone: str | None = None
    offer: str | None = None
    os: str | None = None

    @field_validator("project")
    @classmethod
    def _project(cls, value: str | None) -> str | None:
        return check_project_id(value)

    @field_validator("zone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return None if value is None else check_zone(value)

    @field_validator("offer", mode="plain")
    @classmethod
    def _offer(cls, value: object) -> str | None:
        return None if value is None else check_offer(value)

    @field_validator("os")
    @classmethod
    def _os(cls, value: str | None) -> str | None:
        return None if value is None else check_os(value)


class MachinesOverride(ConfigModel):
    """A team's partial override of the episode's machine defaults."""

    provider: Provider | None = None
    gcp: GcpOverride | None = None
    scaleway: ScalewayOverride | None = None
    equinix_metal: EquinixMetalOverride | None = None

    def apply(self, base: MachinesConfig) -> MachinesConfig:
        """Return `base` with every field set here replacing the default."""
        updates: dict[str, Any] = {}
        if self.provider is not None:
            updates["provider"] = self.provider
        for section in ("gcp", "scaleway", "equinix_metal"):
            override = getattr(self, section)
            if override is not None:
                updates[section] = getattr(base, section).model_copy(
                    update=override.model_dump(exclude_none=True)
                )
        return base.model_copy(update=updates)


class HostConfig(ConfigModel):
    """A machine the host already has, standing in for one node (provider existing)."""

    address: str
    """Public IPv4 address or DNS name: SSH, the API certificate, the mesh endpoint."""
    private_address: str | None = None
    """IPv4 address teammates reach it on without the mesh; default: `address` (an IP)."""
    user: str = "root"
    """SSH login: root, or a user with passwordless sudo."""
    mtu: int = Field(default=ETHERNET_MTU, ge=1280, le=9000)
    """MTU of the network `address` is on (the mesh MTU fits inside it)."""

    @field_validator("address")
    @classmethod
    def _address(cls, value: str) -> str:
        try:
            ip = ipaddress.ip_address(value)
        except ValueError:
            if not _DNS_NAME.match(value) or value.replace(".", "").isdigit():
                raise ValueError(f"{show(value)} is not an IPv4 address or a DNS name") from None
            return value
        if ip.version != 4:
            raise ValueError(f"{show(value)}: IPv6 host addresses are not supported; use IPv4")
        return value

    @field_validator("private_address")
    @classmethod
    def _private_address(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            ipaddress.IPv4Address(value)
        except ValueError:
            raise ValueError(f"{show(value)} is not an IPv4 address") from None
        return value

    @field_validator("user")
    @classmethod
    def _user(cls, value: str) -> str:
        if not _LINUX_USER.match(value):
            raise ValueError(f"{show(value)} is not a Linux user name")
        return value

    @property
    def cluster_address(self) -> str:
        """The address kubelet and etcd use when the mesh is off."""
        return self.private_address or self.address


def check_host_key(key: str) -> str:
    """A `hosts` key: a node of the team, `control-plane-<n>` or `worker-<n>`."""
    if not _NODE_KEY.match(key):
        raise ValueError(
            f"{show(key)} is not a node name like control-plane-1 or worker-2 "
            "(the team's name is added for you)"
        )
    return key


def _ssh_key(value: object) -> SecretStr:
    # Never echo the value: it is a private key.
    if not isinstance(value, str):
        raise ValueError("is not a string: give the private key's text (OpenSSH or PEM)")
    if value == SECRET_PLACEHOLDER:
        return SecretStr(value)  # encrypted in the stack file: checked by the program
    try:
        public_key_of(value)
    except SshKeyError as exc:
        raise ValueError(str(exc)) from None
    return SecretStr(value)


SshPrivateKey = Annotated[SecretStr, PlainValidator(_ssh_key)]
"""`klustered:sshKey`: an unencrypted OpenSSH or PEM private key, kept secret."""
