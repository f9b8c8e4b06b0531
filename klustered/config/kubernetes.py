"""`klustered:kubernetes`: the Kubernetes version and the cluster's address ranges."""

from __future__ import annotations

import re

from pydantic import field_validator

from components.cluster.kubeadm_config import DEFAULT_POD_CIDR, DEFAULT_SERVICE_CIDR
from components.cluster.kubernetes_version import DEFAULT_VERSION, KubernetesVersion
from klustered.config.cidrs import (
    POD_PREFIX_PER_NODE,
    SERVICE_PREFIX_LARGEST,
    SERVICE_PREFIX_SMALLEST,
    usable_network,
)
from klustered.config.errors import show
from klustered.config.model import Cidr, ConfigModel

OLDEST_MINOR = 31
NEWEST_MINOR = 37
"""Kubernetes minors with packages on pkgs.k8s.io that the cluster scripts are tested for."""

_K8S_VERSION = re.compile(r"v?1\.(?:0|[1-9][0-9]{0,2})(?:\.(?:0|[1-9][0-9]{0,2}))?\Z")
"""What the cluster's KubernetesVersion parses, without surrounding blanks or leading zeros."""


class KubernetesConfig(ConfigModel):
    """Kubernetes version and cluster address ranges."""

    version: str = DEFAULT_VERSION
    pod_cidr: Cidr = DEFAULT_POD_CIDR
    service_cidr: Cidr = DEFAULT_SERVICE_CIDR

    @field_validator("version")
    @classmethod
    def _version(cls, value: str) -> str:
        if not _K8S_VERSION.match(value):
            raise ValueError(f"{show(value)} is not a version like 1.34 or 1.34.2")
        minor = KubernetesVersion.parse(value).minor
        if not OLDEST_MINOR <= minor <= NEWEST_MINOR:
            raise ValueError(
                f"{show(value)} is not supported (1.{OLDEST_MINOR} to 1.{NEWEST_MINOR})"
            )
        return value

    @field_validator("pod_cidr")
    @classmethod
    def _pod_cidr(cls, value: str) -> str:
        network = usable_network(value)
        if network.prefixlen > POD_PREFIX_PER_NODE:
            raise ValueError(
                f"{show(value)} is smaller than the /{POD_PREFIX_PER_NODE} every node takes "
                "from the pod range"
            )
        return value

    @field_validator("service_cidr")
    @classmethod
    def _service_cidr(cls, value: str) -> str:
        network = usable_network(value)
        if network.prefixlen < SERVICE_PREFIX_LARGEST:
            raise ValueError(
                f"{show(value)} is larger than the /{SERVICE_PREFIX_LARGEST} kube-apiserver "
                "accepts for services"
            )
        if network.prefixlen > SERVICE_PREFIX_SMALLEST:
            raise ValueError(
                f"{show(value)} has no room for the cluster DNS address (kubeadm takes the "
                f"10th address; the range needs at least a /{SERVICE_PREFIX_SMALLEST})"
            )
        return value

    @property
    def minor(self) -> str:
        """The `1.NN` minor, used for the package repository."""
        return f"1.{KubernetesVersion.parse(self.version).minor}"
