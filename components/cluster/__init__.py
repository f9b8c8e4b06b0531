"""A kubeadm cluster bootstrapped over SSH: the Cluster component and its pure renderers.

    from components.cluster import Cluster, ClusterArgs

Public names load their module on first use, so the pure renderers (kubeadm configs,
phase scripts, PKI helpers) import without the Pulumi provider SDKs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from components.cluster.component import (
        Cluster,
        ClusterArgs,
        ClusterNodeArgs,
        NodePhaseArgs,
        api_endpoint_name,
    )
    from components.cluster.kubeadm_config import DEFAULT_POD_CIDR, DEFAULT_SERVICE_CIDR
    from components.cluster.kubernetes_version import DEFAULT_VERSION, KubernetesVersion

_EXPORTS = {
    "Cluster": "components.cluster.component",
    "ClusterArgs": "components.cluster.component",
    "ClusterNodeArgs": "components.cluster.component",
    "NodePhaseArgs": "components.cluster.component",
    "api_endpoint_name": "components.cluster.component",
    "DEFAULT_POD_CIDR": "components.cluster.kubeadm_config",
    "DEFAULT_SERVICE_CIDR": "components.cluster.kubeadm_config",
    "DEFAULT_VERSION": "components.cluster.kubernetes_version",
    "KubernetesVersion": "components.cluster.kubernetes_version",
}
__all__ = [
    "DEFAULT_POD_CIDR",
    "DEFAULT_SERVICE_CIDR",
    "DEFAULT_VERSION",
    "Cluster",
    "ClusterArgs",
    "ClusterNodeArgs",
    "KubernetesVersion",
    "NodePhaseArgs",
    "api_endpoint_name",
]


__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)
