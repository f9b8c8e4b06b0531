"""Every file one node receives during bootstrap, rendered from plain values.

`render_prep_files` and `render_cluster_files` return `{file name: text}` in the order the
phases run on that node. Each `NN-*.sh` is a complete script (shared helpers included,
inputs exported at its top) meant to be sent on stdin; `kubeadm.yaml` and
`cilium-values.yaml` are the same documents the scripts embed, written out for the plan.

Order across nodes (the component wires it): every node runs 10..40 (`render_prep_files`,
node-local) as soon as its machine answers; control-plane-1 then runs 45, 50-init and 60;
the other control planes run 45 and 50-join one at a time, workers in parallel; then
control-plane-1 runs 70 (readiness) and 80 (admin kubeconfig).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from components.cluster.cilium import CiliumSpec, render_cilium_values
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


@dataclass(frozen=True)
class ClusterPki:
    """PEM material made by the program (pulumi-tls) that kubeadm reuses on control-plane-1."""

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
    """The secrets a cluster's nodes need: PKI, bootstrap token and certificate key."""

    pki: ClusterPki
    bootstrap_token: str
    certificate_key: str


def phase_script(name: str, env: Mapping[str, str]) -> str:
    """One phase as sent to a node: the shared helpers, then the phase, inputs exported on top."""
    lib = load_script(SCRIPTS_PACKAGE, "_lib.sh")
    body = load_script(SCRIPTS_PACKAGE, name)
    body_lines = body.splitlines()
    if body_lines and body_lines[0].startswith("#!"):
        body_lines = body_lines[1:]
    return render_script(lib + "\n" + "\n".join(body_lines) + "\n", env, title=name)


def _is_first_control_plane(slot: NodeSlot) -> bool:
    return slot.role == NodeRole.CONTROL_PLANE and slot.index == 1


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


def cluster_file_names(slot: NodeSlot, *, with_endpoint: bool) -> list[str]:
    """The names `render_cluster_files` returns for this node, in order, before rendering."""
    names = ["45-api-endpoint.sh"] if with_endpoint else []
    if _is_first_control_plane(slot):
        return [
            *names,
            "kubeadm.yaml",
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
    expected_nodes: int,
    api_endpoint_address: str = "",
    ready_timeout_seconds: int = DEFAULT_READY_TIMEOUT_SECONDS,
) -> dict[str, str]:
    """Phases 45.. of one node (init or join and what follows), plus kubeadm.yaml.

    With `api_endpoint_address`, phase 45 makes the endpoint's host name resolve to it.
    """
    if node.name != slot.name:
        raise ValueError(f"node name {node.name!r} does not match its slot {slot.name!r}")
    version = cluster.version
    files: dict[str, str] = {}
    if api_endpoint_address:
        files["45-api-endpoint.sh"] = phase_script(
            "45-api-endpoint.sh",
            {
                "API_ENDPOINT_NAME": endpoint_host(cluster.control_plane_endpoint),
                "API_ENDPOINT_ADDRESS": api_endpoint_address,
            },
        )

    if _is_first_control_plane(slot):
        kubeadm_yaml = render_init_config(
            cluster,
            node,
            bootstrap_token=secrets.bootstrap_token,
            certificate_key=secrets.certificate_key,
        )
        pki = secrets.pki
        files["kubeadm.yaml"] = kubeadm_yaml
        files["50-kubeadm-init.sh"] = phase_script(
            "50-kubeadm-init.sh",
            {
                "KUBEADM_CONFIG": kubeadm_yaml,
                "K8S_VERSION": version.exact or "",
                "PKI_CA_CRT": pki.ca_cert,
                "PKI_CA_KEY": pki.ca_key,
                "PKI_FRONT_PROXY_CA_CRT": pki.front_proxy_ca_cert,
                "PKI_FRONT_PROXY_CA_KEY": pki.front_proxy_ca_key,
                "PKI_ETCD_CA_CRT": pki.etcd_ca_cert,
                "PKI_ETCD_CA_KEY": pki.etcd_ca_key,
                "PKI_SA_KEY": pki.sa_key,
                "PKI_SA_PUB": pki.sa_pub,
            },
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
        files["70-ready.sh"] = phase_script(
            "70-ready.sh",
            {
                "EXPECTED_NODES": str(expected_nodes),
                "READY_TIMEOUT_SECONDS": str(ready_timeout_seconds),
            },
        )
        files["80-admin-kubeconfig.sh"] = phase_script("80-admin-kubeconfig.sh", {})
    else:
        kubeadm_yaml = render_join_config(
            cluster,
            node,
            bootstrap_token=secrets.bootstrap_token,
            ca_cert_hash=ca_cert_hash(secrets.pki.ca_cert),
            certificate_key=(
                secrets.certificate_key if slot.role == NodeRole.CONTROL_PLANE else None
            ),
        )
        files["kubeadm.yaml"] = kubeadm_yaml
        files["50-kubeadm-join.sh"] = phase_script(
            "50-kubeadm-join.sh", {"KUBEADM_CONFIG": kubeadm_yaml}
        )
    return files


SECRET_FILES = frozenset({"kubeadm.yaml", "50-kubeadm-init.sh", "50-kubeadm-join.sh"})
"""Files holding secrets (token, certificate key, CA keys): send them with logging off."""
