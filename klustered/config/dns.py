"""`klustered:dns`: the apex the host owns, its Cloud DNS zone, and its registrar."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator

from components.dns.names import dns_name_problem, normalize_domain
from klustered.config.errors import show
from klustered.config.model import ConfigModel

_MANAGED_ZONE = re.compile(r"^[a-z]([a-z0-9-]{0,61}[a-z0-9])?\Z")
_GCP_PROJECT = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]\Z")

GANDI_TOKEN_KEYS = ("gandi:personalAccessToken", "gandi:key")
"""The Gandi provider's own config keys for its token (`key` is the deprecated API key)."""
GANDI_TOKEN_ENV = ("GANDI_PERSONAL_ACCESS_TOKEN", "GANDI_KEY")
"""The environment variables the Gandi provider reads when its config keys are unset."""


class DnsConfig(ConfigModel):
    """The episode's names live in `<stack>.<domain>`, delegated from the apex zone."""

    domain: str
    """The apex the host owns (`klustered.live`)."""
    zone: str
    """The apex's Cloud DNS managed zone name."""
    project: str
    """The GCP project of the apex zone; the episode zone goes there too."""
    registrar: Literal["none", "gandi"] = "none"
    """`gandi`: publish the apex's DS at Gandi."""
    create_apex: bool = False
    """Create the apex zone itself (DNSSEC on) in this stack."""
    ttl: int = Field(default=300, ge=30, le=86400)
    """TTL of the episode's records, its NS and its DS."""

    @field_validator("domain")
    @classmethod
    def _domain(cls, value: str) -> str:
        problem = dns_name_problem(value)
        if problem is not None:
            raise ValueError(f"{show(value)} is not a valid DNS name: {problem}")
        return normalize_domain(value)

    @field_validator("zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        if not _MANAGED_ZONE.match(value):
            raise ValueError(
                f"{show(value)} is not a Cloud DNS managed zone name (1-63 of a-z, 0-9 and "
                "'-', starting with a letter, not ending with '-')"
            )
        return value

    @field_validator("project")
    @classmethod
    def _project(cls, value: str) -> str:
        if not _GCP_PROJECT.match(value):
            raise ValueError(
                f"{show(value)} is not a GCP project ID (6-30 of a-z, 0-9 and '-', starting "
                "with a letter, not ending with '-')"
            )
        return value
