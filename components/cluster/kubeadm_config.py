"""kubeadm configuration files (kubeadm.k8s.io/v1beta4) for `kubeadm init` and `kubeadm join`.

Choices made here:
- kube-proxy is disabled with `ClusterConfiguration.proxy.disabled` (v1beta4) because Cilium
  replaces it (kubeProxyReplacement); the setting persists in the kubeadm-config ConfigMap, so
  `kubeadm upgrade` does not bring kube-proxy back.
- Joins always pin the cluster CA with `caCertHashes`; unsafeSkipCAVerification is never set.
- No certificate key and no `--upload-certs`: the program places the CAs and the
  service-account key on every control plane before kubeadm runs (they never expire in
  the cluster, so a control plane can join a day later).
- The API certificate always carries 127.0.0.1 and localhost: kubelet and Cilium reach
  the API through the node-local load balancer on 127.0.0.1.
- With only a minor version ("1.34") `kubernetesVersion` is left out and the init phase
  appends it at run time from the installed kubeadm; ClusterConfiguration is therefore
  always the LAST document of the init file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from components.cluster.kubernetes_version import KubernetesVersion
from components.cluster.pki import validate_bootstrap_token, validate_ca_cert_hash

API_VERSION = "kubeadm.k8s.io/v1beta4"
KUBELET_API_VERSION = "kubelet.config.k8s.io/v1beta1"
API_SERVER_PORT = 6443
CRI_SOCKET = "unix:///var/run/containerd/containerd.sock"
LOCAL_SANS = ("127.0.0.1", "localhost")
"""Names the API certificate always carries: the node-local load balancer's address."""


@dataclass(frozen=True)
class ClusterSpec:
    """Cluster-wide kubeadm settings, as plain values."""

    name: str
    version: KubernetesVersion
    control_plane_endpoint: str
    """Stable DNS name or address of the API, with or without `:6443`."""
    cert_sans: Sequence[str] = ()
    """Extra API server certificate names: public address, cluster DNS name, ..."""
    pod_cidr: str = "10.244.0.0/16"
    service_cidr: str = "10.96.0.0/12"
    kube_proxy: bool = False
    """False when Cilium replaces kube-proxy (the default)."""
    token_ttl: str = "24h"

    @property
    def endpoint_with_port(self) -> str:
        """controlPlaneEndpoint with an explicit port."""
        return with_default_port(self.control_plane_endpoint)


@dataclass(frozen=True)
class NodeSpec:
    """What kubeadm needs to know about one node."""

    name: str
    node_ip: str
    """The address kubelet registers (the mesh address when the mesh is on)."""
    advertise_address: str = ""
    """The API server address on a control-plane node; defaults to node_ip."""
    untainted_control_plane: bool = False
    """Register a control plane without its NoSchedule taint (clusters with no workers)."""
    extra_kubelet_args: Sequence[tuple[str, str]] = field(default_factory=tuple)

    @property
    def api_address(self) -> str:
        """The address this node's API server advertises."""
        return self.advertise_address or self.node_ip


def with_default_port(endpoint: str) -> str:
    """`host` -> `host:6443`; `host:port` and `[v6]:port` are returned unchanged."""
    if endpoint.startswith("["):
        return endpoint if "]:" in endpoint else f"{endpoint}:{API_SERVER_PORT}"
    if endpoint.count(":") == 1:
        return endpoint
    if ":" in endpoint:  # a bare IPv6 address
        return f"[{endpoint}]:{API_SERVER_PORT}"
    return f"{endpoint}:{API_SERVER_PORT}"


def _node_registration(node: NodeSpec, *, control_plane: bool) -> dict[str, Any]:
    args = [{"name": "node-ip", "value": node.node_ip}]
    args += [{"name": name, "value": value} for name, value in node.extra_kubelet_args]
    registration: dict[str, Any] = {
        "name": node.name,
        "criSocket": CRI_SOCKET,
        "kubeletExtraArgs": args,
    }
    if control_plane and node.untainted_control_plane:
        registration["taints"] = []
    return registration


def _dump(documents: Sequence[dict[str, Any]]) -> str:
    return yaml.safe_dump_all(documents, sort_keys=False, explicit_start=True, width=1000)


def init_documents(
    cluster: ClusterSpec, node: NodeSpec, *, bootstrap_token: str
) -> list[dict[str, Any]]:
    """The init documents as dicts: Init-, Kubelet- and ClusterConfiguration, in that order."""
    init: dict[str, Any] = {
        "apiVersion": API_VERSION,
        "kind": "InitConfiguration",
        "bootstrapTokens": [
            {
                "token": validate_bootstrap_token(bootstrap_token),
                "description": f"klustered {cluster.name} node joins",
                "ttl": cluster.token_ttl,
                "usages": ["signing", "authentication"],
                "groups": ["system:bootstrappers:kubeadm:default-node-token"],
            }
        ],
        "nodeRegistration": _node_registration(node, control_plane=True),
        "localAPIEndpoint": {"advertiseAddress": node.api_address, "bindPort": API_SERVER_PORT},
    }
    kubelet: dict[str, Any] = {
        "apiVersion": KUBELET_API_VERSION,
        "kind": "KubeletConfiguration",
        "cgroupDriver": "systemd",
    }
    sans = list(
        dict.fromkeys(
            [*cluster.cert_sans, endpoint_host(cluster.control_plane_endpoint), *LOCAL_SANS]
        )
    )
    clusterconf: dict[str, Any] = {
        "apiVersion": API_VERSION,
        "kind": "ClusterConfiguration",
        "clusterName": cluster.name,
        "controlPlaneEndpoint": cluster.endpoint_with_port,
        "networking": {"podSubnet": cluster.pod_cidr, "serviceSubnet": cluster.service_cidr},
        "apiServer": {"certSANs": sans},
        "proxy": {"disabled": not cluster.kube_proxy},
    }
    if cluster.version.exact is not None:
        clusterconf["kubernetesVersion"] = cluster.version.exact
    return [init, kubelet, clusterconf]


def render_init_config(cluster: ClusterSpec, node: NodeSpec, *, bootstrap_token: str) -> str:
    """The `kubeadm init --config` file for control-plane-1 (YAML, ClusterConfiguration last)."""
    return _dump(init_documents(cluster, node, bootstrap_token=bootstrap_token))


def join_documents(
    cluster: ClusterSpec,
    node: NodeSpec,
    *,
    bootstrap_token: str,
    ca_cert_hash: str,
    control_plane: bool = False,
) -> list[dict[str, Any]]:
    """The JoinConfiguration as a dict; a control-plane join (CAs placed beforehand) or not."""
    join: dict[str, Any] = {
        "apiVersion": API_VERSION,
        "kind": "JoinConfiguration",
        "nodeRegistration": _node_registration(node, control_plane=control_plane),
        "discovery": {
            "bootstrapToken": {
                "token": validate_bootstrap_token(bootstrap_token),
                "apiServerEndpoint": cluster.endpoint_with_port,
                "caCertHashes": [validate_ca_cert_hash(ca_cert_hash)],
            }
        },
    }
    if control_plane:
        join["controlPlane"] = {
            "localAPIEndpoint": {
                "advertiseAddress": node.api_address,
                "bindPort": API_SERVER_PORT,
            },
        }
    return [join]


def render_join_config(
    cluster: ClusterSpec,
    node: NodeSpec,
    *,
    bootstrap_token: str,
    ca_cert_hash: str,
    control_plane: bool = False,
) -> str:
    """The `kubeadm join --config` file; `control_plane` for a control-plane join."""
    return _dump(
        join_documents(
            cluster,
            node,
            bootstrap_token=bootstrap_token,
            ca_cert_hash=ca_cert_hash,
            control_plane=control_plane,
        )
    )


def endpoint_host(endpoint: str) -> str:
    """The host part of `host[:port]` or `[v6]:port`."""
    if endpoint.startswith("["):
        return endpoint[1 : endpoint.index("]")]
    if endpoint.count(":") == 1:
        return endpoint.rsplit(":", 1)[0]
    return endpoint


def endpoint_port(endpoint: str) -> int:
    """The port of `host[:port]`, 6443 when none is given."""
    return int(with_default_port(endpoint).rsplit(":", 1)[1])
