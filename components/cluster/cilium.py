"""Cilium Helm values for a kubeadm cluster without kube-proxy.

Value names follow the cilium chart (install/kubernetes/cilium/values.yaml):
`kubeProxyReplacement`, `k8sServiceHost`, `k8sServicePort`, `MTU` (the device MTU; with
the WireGuard mesh pass the wg MTU and tunnel mode subtracts its own overhead),
`ipam.mode` and `ipam.operator.clusterPoolIPv4PodCIDRList`, `operator.replicas`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

CILIUM_FOR_KUBERNETES_MINOR: dict[int, str] = {
    31: "1.18.14",
    32: "1.19.8",
    33: "1.19.8",
    34: "1.19.8",
    35: "1.19.8",
    36: "1.20.2",
    37: "1.20.2",
}
"""The Cilium chart pinned for each Kubernetes minor the config allows (1.31 to 1.37).

No Cilium release is e2e tested on all of 1.31..1.37, so the pin follows Cilium's own
compatibility tables (docs: network/kubernetes/compatibility): 1.18 lists 1.30-1.33,
1.19 lists 1.32-1.35; the newest patch of the newest line that lists the minor is used.
1.36 and 1.37 get 1.20, the newest line: its tested list could not be confirmed when
the pins were chosen (see docs/clusters.md).
"""
DEFAULT_CILIUM_VERSION = CILIUM_FOR_KUBERNETES_MINOR[34]
DEFAULT_HELM_VERSION = "v3.19.0"


def cilium_version_for(kubernetes_minor: int) -> str:
    """The pinned Cilium chart version for Kubernetes 1.<kubernetes_minor>."""
    try:
        return CILIUM_FOR_KUBERNETES_MINOR[kubernetes_minor]
    except KeyError:
        known = sorted(CILIUM_FOR_KUBERNETES_MINOR)
        raise ValueError(
            f"no Cilium release pinned for Kubernetes 1.{kubernetes_minor} "
            f"(1.{known[0]} to 1.{known[-1]})"
        ) from None


@dataclass(frozen=True)
class CiliumSpec:
    """Cilium install parameters: pinned chart version, API endpoint, MTU and pod CIDR."""

    api_host: str
    """Address or name the agents use to reach the API (no kube-proxy to provide the Service)."""
    api_port: int = 6443
    mtu: int = 0
    """0 lets Cilium detect the MTU; set it to the mesh MTU when the mesh is on."""
    pod_cidr: str = "10.244.0.0/16"
    version: str = DEFAULT_CILIUM_VERSION
    operator_replicas: int = 1
    helm_version: str = DEFAULT_HELM_VERSION


def cilium_values(spec: CiliumSpec) -> dict[str, Any]:
    """The Helm values as a dict."""
    if spec.mtu < 0:
        raise ValueError(f"cilium MTU must be >= 0, got {spec.mtu}")
    values: dict[str, Any] = {
        "kubeProxyReplacement": True,
        "k8sServiceHost": spec.api_host,
        "k8sServicePort": spec.api_port,
        "ipam": {
            "mode": "cluster-pool",
            "operator": {"clusterPoolIPv4PodCIDRList": [spec.pod_cidr]},
        },
        "operator": {"replicas": spec.operator_replicas},
    }
    if spec.mtu:
        values["MTU"] = spec.mtu
    return values


def render_cilium_values(spec: CiliumSpec) -> str:
    """The Helm values file (YAML) passed to `helm upgrade --install cilium`."""
    return yaml.safe_dump(cilium_values(spec), sort_keys=False)
