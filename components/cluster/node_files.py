"""Every file one node receives during bootstrap, rendered from plain values.

`render_prep_files` and `render_cluster_files` return `{file name: text}` in the order the
phases run on that node. Each `NN-*.sh` is a complete script (shared helpers included,
inputs exported at its top) meant to be sent on stdin; `kubeadm.yaml`, `haproxy.cfg` and
`cilium-values.yaml` are the same documents the scripts embed, written out for the plan.

Order across nodes (the component wires it): every node runs 10..40 (`render_prep_files`,
node-local) as soon as its machine answers, then 43 (host firewall), 44 (node-local API
load balancer) and 45 (endpoint name); control-plane-1 then runs 50-init and 60; the other
control planes run 50-join one at a time, workers in parallel; then control-plane-1 runs
70 (readiness) and 80 (admin kubeconfig).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from components.cluster.cilium import CiliumSpec, render_cilium_values
from components.cluster.haproxy import LOCAL_API_PORT, local_api_server, render_haproxy_config
from components.cluster.host_firewall import HostFirewallSpec, firewall_env
from components.cluster.kubeadm_config import (
    ClusterSpec,
    NodeSpec,
    endpoint_host,
    render_init_config,
    render_join_config,
)
from components.cluster.kubernetes_version import KubernetesVersion
from components.cluster.pki import ca_cert_hash
from components.nodes import NodeRole, NodeSlot
from components.shell import load_script, render_script

SCRIPTS_PACKAGE = "components.cluster.scripts"
DEFAULT_READY_TIMEOUT_SECONDS = 900
DEFAULT_LOCAL_API_WAIT_SECONDS = 90
"""How long phase 50 waits for the node-local load balancer before pointing kubelet at it."""
_KUBEADM_LIBS = ("_lib.sh", "_api.sh", "_kubeadm.sh")


@dataclass(frozen=True)
class ClusterPki:
    """PEM material made by the program (pulumi-tls) that kubeadm reuses on control planes."""

    ca_cert: str
    ca_key: str
    front_proxy_ca_cert: str
    front_proxy_ca_key: str
    etcd_ca_cert: str
    etcd_ca_key: str
    sa_key: str
    sa_pub: str


@dataclass(frozen=True)
class ClusterSecrets:
    """The secrets a cluster's nodes need: PKI and the bootstrap token."""

    pki: ClusterPki
    bootstrap_token: str


def phase_script(
    name: str,
    env: Mapping[str, str],
    *,
    libs: Sequence[str] = ("_lib.sh",),
    title: str = "",
) -> str:
    """One phase as sent to a node: the shared helpers, then the phase, inputs exported on top."""
    parts = []
    for part in (*libs, name):
        lines = load_script(SCRIPTS_PACKAGE, part).splitlines()
        if lines and lines[0].startswith("#!"):
            lines = lines[1:]
        parts.append("\n".join(lines))
    return render_script("\n".join(parts) + "\n", env, title=title or name)


def _is_first_control_plane(slot: NodeSlot) -> bool:
    return slot.role == NodeRole.CONTROL_PLANE and slot.index == 1


def _pki_env(pki: ClusterPki) -> dict[str, str]:
    return {
        "PKI_CA_CRT": pki.ca_cert,
        "PKI_CA_KEY": pki.ca_key,
        "PKI_FRONT_PROXY_CA_CRT": pki.front_proxy_ca_cert,
        "PKI_FRONT_PROXY_CA_KEY": pki.front_proxy_ca_key,
        "PKI_ETCD_CA_CRT": pki.etcd_ca_cert,
        "PKI_ETCD_CA_KEY": pki.etcd_ca_key,
        "PKI_SA_KEY": pki.sa_key,
        "PKI_SA_PUB": pki.sa_pub,
    }


def render_prep_files(slot: NodeSlot, version: KubernetesVersion) -> dict[str, str]:
    """Phases 10..40 of one node: they need nothing but the node itself (no secrets).

    A node runs these as soon as its machine exists, whatever its teammates are doing.
    """
    files: dict[str, str] = {
        "10-os-prep.sh": phase_script("10-os-prep.sh", {"NODE_NAME": slot.name}),
        "20-containerd.sh": phase_script("20-containerd.sh", {}),
        "30-kubernetes-packages.sh": phase_script(
            "30-kubernetes-packages.sh",
            {"K8S_SERIES": version.series, "K8S_PACKAGE_VERSION": version.package_version},
        ),
    }
    if slot.role == NodeRole.CONTROL_PLANE:
        files["40-images.sh"] = phase_script("40-images.sh", {"K8S_VERSION": version.exact or ""})
    return files


def cluster_file_names(slot: NodeSlot, *, with_firewall: bool) -> list[str]:
    """The names `render_cluster_files` returns for this node, in order, before rendering."""
    names = ["43-firewall.sh"] if with_firewall else []
    names += ["haproxy.cfg", "44-api-lb.sh", "45-api-endpoint.sh"]
    if _is_first_control_plane(slot):
        return [
            *names,
            "kubeadm.yaml",
            "kubeadm-rejoin.yaml",
            "50-kubeadm-init.sh",
            "cilium-values.yaml",
            "60-cilium.sh",
            "70-ready.sh",
            "80-admin-kubeconfig.sh",
        ]
    return [*names, "kubeadm.yaml", "50-kubeadm-join.sh"]


def render_cluster_files(
    cluster: ClusterSpec,
    slot: NodeSlot,
    node: NodeSpec,
    secrets: ClusterSecrets,
    cilium: CiliumSpec,
    *,
    control_planes: Sequence[tuple[str, str]],
    expected_nodes: Sequence[str],
    firewall: HostFirewallSpec | None = None,
    ready_timeout_seconds: int = DEFAULT_READY_TIMEOUT_SECONDS,
    local_api_wait_seconds: int = DEFAULT_LOCAL_API_WAIT_SECONDS,
) -> dict[str, str]:
    """Phases 43.. of one node (firewall, API access, init or join and what follows).

    `control_planes` is every control plane as `(name, cluster address)` in index order;
    `expected_nodes` every node name the readiness gate waits for.
    """
    if node.name != slot.name:
        raise ValueError(f"node name {node.name!r} does not match its slot {slot.name!r}")
    if not control_planes:
        raise ValueError("at least one control plane is needed")
    version = cluster.version
    control_plane = slot.role == NodeRole.CONTROL_PLANE
    api = {
        "NODE_NAME": slot.name,
        "NODE_ADDRESS": node.node_ip,
        "API_ENDPOINT_NAME": endpoint_host(cluster.control_plane_endpoint),
        "CONTROL_PLANE_ADDRESSES": " ".join(address for _, address in control_planes),
        "LOCAL_API_SERVER": local_api_server(LOCAL_API_PORT),
        "LOCAL_API_WAIT_SECONDS": str(local_api_wait_seconds),
    }
    files: dict[str, str] = {}
    if firewall is not None:
        files["43-firewall.sh"] = phase_script("43-firewall.sh", firewall_env(firewall))
    haproxy_cfg = render_haproxy_config(control_planes)
    files["haproxy.cfg"] = haproxy_cfg
    files["44-api-lb.sh"] = phase_script("44-api-lb.sh", {"HAPROXY_CFG": haproxy_cfg})
    files["45-api-endpoint.sh"] = phase_script(
        "45-api-endpoint.sh",
        {k: api[k] for k in ("API_ENDPOINT_NAME", "CONTROL_PLANE_ADDRESSES", "NODE_ADDRESS")},
        libs=("_lib.sh", "_api.sh"),
    )

    ca_hash = ca_cert_hash(secrets.pki.ca_cert)
    if _is_first_control_plane(slot):
        kubeadm_yaml = render_init_config(cluster, node, bootstrap_token=secrets.bootstrap_token)
        rejoin_yaml = render_join_config(
            cluster,
            node,
            bootstrap_token=secrets.bootstrap_token,
            ca_cert_hash=ca_hash,
            control_plane=True,
        )
        files["kubeadm.yaml"] = kubeadm_yaml
        files["kubeadm-rejoin.yaml"] = rejoin_yaml
        files["50-kubeadm-init.sh"] = phase_script(
            "50-kubeadm-init.sh",
            {
                **api,
                "KUBEADM_CONFIG": kubeadm_yaml,
                "KUBEADM_JOIN_CONFIG": rejoin_yaml,
                "K8S_VERSION": version.exact or "",
                **_pki_env(secrets.pki),
            },
            libs=_KUBEADM_LIBS,
        )
        values = render_cilium_values(cilium)
        files["cilium-values.yaml"] = values
        files["60-cilium.sh"] = phase_script(
            "60-cilium.sh",
            {
                "CILIUM_VERSION": cilium.version,
                "CILIUM_VALUES": values,
                "HELM_VERSION": cilium.helm_version,
            },
        )
        planes = [name for name, _ in control_planes]
        files["70-ready.sh"] = phase_script(
            "70-ready.sh",
            {
                "EXPECTED_NODES": " ".join(expected_nodes),
                "CONTROL_PLANES": " ".join(planes),
                "UNTAINT_CONTROL_PLANES": "1" if set(expected_nodes) <= set(planes) else "0",
                "READY_TIMEOUT_SECONDS": str(ready_timeout_seconds),
            },
        )
        files["80-admin-kubeconfig.sh"] = phase_script("80-admin-kubeconfig.sh", {})
    else:
        kubeadm_yaml = render_join_config(
            cluster,
            node,
            bootstrap_token=secrets.bootstrap_token,
            ca_cert_hash=ca_hash,
            control_plane=control_plane,
        )
        files["kubeadm.yaml"] = kubeadm_yaml
        env = {
            "NODE_NAME": api["NODE_NAME"],
            "NODE_ADDRESS": api["NODE_ADDRESS"],
            "API_ENDPOINT_NAME": api["API_ENDPOINT_NAME"],
            "LOCAL_API_SERVER": api["LOCAL_API_SERVER"],
            "LOCAL_API_WAIT_SECONDS": api["LOCAL_API_WAIT_SECONDS"],
            "KUBEADM_CONFIG": kubeadm_yaml,
            "CONTROL_PLANE": "1" if control_plane else "0",
        }
        if control_plane:
            env.update(_pki_env(secrets.pki))
        files["50-kubeadm-join.sh"] = phase_script("50-kubeadm-join.sh", env, libs=_KUBEADM_LIBS)
    return files


SECRET_FILES = frozenset(
    {"kubeadm.yaml", "kubeadm-rejoin.yaml", "50-kubeadm-init.sh", "50-kubeadm-join.sh"}
)
"""Files holding secrets (bootstrap token, CA keys): send them with logging off."""
