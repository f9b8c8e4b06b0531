"""`klustered:workload`: the Klustered app every cluster starts with."""

from __future__ import annotations

from klustered.config.model import ConfigModel


class WorkloadConfig(ConfigModel):
    """The Klustered app every cluster starts with."""

    image: str = "ghcr.io/rawkodeacademy/klustered:v1"
    postgres_image: str = "postgres:16"
