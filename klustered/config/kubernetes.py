"""`klustered:kubernetes`: the Kubernetes version and the cluster's address ranges."""

from __future__ import annotations

import re

from pydantic import field_validator

from klustered.config.errors import show
from klustered.config.model import Cidr, ConfigModel, check_cidr

OLDEST_MINOR = 31
NEWEST_MINOR = 37
"""Kubernetes minors with packages on pkgs.k8s.io that the cluster scripts are tested for."""

_K8S_VERSION = re.compile(r"^1\.(\d+)(?:\.(\d+))?$")


class KubernetesConfig(ConfigModel):
    """Kubernetes version and cluster address ranges."""

    version: str = "1.34"
    pod_cidr: Cidr = "10.244.0.0/16"
    service_cidr: Cidr = "10.96.0.0/12"

    @field_validator("version")
    @classmethod
    def _version(cls, value: str) -> str:
        match = _K8S_VERSION.match(value)
        if not match:
            raise ValueError(f"{show(value)} is not a version like 1.34 or 1.34.2")
        minor = int(match.group(1))
        if not OLDEST_MINOR <= minor <= NEWEST_MINOR:
            raise ValueError(
                f"{show(value)} is not supported (1.{OLDEST_MINOR} to 1.{NEWEST_MINOR})"
            )
        return value

    @field_validator("pod_cidr", "service_cidr")
    @classmethod
    def _cidr(cls, value: str) -> str:
        return check_cidr(value)

    @property
    def minor(self) -> str:
        """The `1.NN` minor, used for the package repository."""
        major, minor = self.version.split(".")[:2]
        return f"{major}.{minor}"
