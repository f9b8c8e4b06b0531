"""Realistic plain values for cluster renderer tests: a real CA made with cryptography."""

from __future__ import annotations

import datetime
import functools
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from components.cluster.cilium import CiliumSpec
from components.cluster.haproxy import LOCAL_API_HOST, LOCAL_API_PORT
from components.cluster.host_firewall import HostFirewallSpec
from components.cluster.kubeadm_config import ClusterSpec, NodeSpec
from components.cluster.kubernetes_version import KubernetesVersion
from components.cluster.node_files import (
    ClusterPki,
    ClusterSecrets,
    render_cluster_files,
    render_prep_files,
)
from components.nodes import NodeSlot, node_slots

TOKEN = "abcdef.0123456789abcdef"


def _key_pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def make_ca(common_name: str, *, ecdsa: bool = False) -> tuple[str, str]:
    """A self-signed CA certificate and its key, both PEM."""
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    key = (
        ec.generate_private_key(ec.SECP256R1()) if ecdsa else rsa.generate_private_key(65537, 2048)
    )
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii"), _key_pem(key)


@functools.cache
def secrets() -> ClusterSecrets:
    """One set of cluster secrets, generated once per test session."""
    ca, ca_key = make_ca("kubernetes")
    fp, fp_key = make_ca("front-proxy-ca")
    etcd, etcd_key = make_ca("etcd-ca")
    sa = rsa.generate_private_key(65537, 2048)
    sa_pub = (
        sa.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
    pki = ClusterPki(ca, ca_key, fp, fp_key, etcd, etcd_key, _key_pem(sa), sa_pub)
    return ClusterSecrets(pki=pki, bootstrap_token=TOKEN)


def cluster(version: str = "1.34") -> ClusterSpec:
    """A blue team cluster on the mesh, with a stable API name."""
    return ClusterSpec(
        name="blue",
        version=KubernetesVersion.parse(version),
        control_plane_endpoint="api.blue.klustered.live",
        cert_sans=("147.75.1.10", "api.blue.klustered.live", "10.254.0.1"),
    )


def slots() -> list[NodeSlot]:
    """Three control planes and two workers."""
    return node_slots("blue", 3, 2)


def node(slot: NodeSlot, number: int) -> NodeSpec:
    """A node with a mesh address 10.254.0.<number>."""
    return NodeSpec(name=slot.name, node_ip=f"10.254.0.{number}")


def control_planes(count: int = 3) -> list[tuple[str, str]]:
    """The team's control planes as (name, mesh address), in index order."""
    return [(s.name, f"10.254.0.{i}") for i, s in enumerate(node_slots("blue", count, 0), 1)]


def expected_nodes(control_planes: int = 3, workers: int = 2) -> list[str]:
    """Every node name of a blue team of this shape."""
    return [s.name for s in node_slots("blue", control_planes, workers)]


def firewall() -> HostFirewallSpec:
    """The host firewall of a meshed node: the mesh port open, nobody trusted."""
    return HostFirewallSpec(udp_ports=[51820])


def cilium() -> CiliumSpec:
    """Cilium on the mesh MTU, API through the node-local load balancer."""
    return CiliumSpec(api_host=LOCAL_API_HOST, api_port=LOCAL_API_PORT, mtu=1420)


def cluster_options(control_planes_count: int = 3, workers: int = 2) -> dict[str, Any]:
    """The keyword arguments render_cluster_files needs for a blue team of this shape."""
    return {
        "control_planes": control_planes(control_planes_count),
        "expected_nodes": expected_nodes(control_planes_count, workers),
        "firewall": firewall(),
    }


def render_node_files(
    cluster: ClusterSpec,
    slot: NodeSlot,
    node: NodeSpec,
    secrets: ClusterSecrets,
    cilium: CiliumSpec,
    **options: Any,
) -> dict[str, str]:
    """Every file of one node in run order: its prep phases, then its cluster phases."""
    return {
        **render_prep_files(slot, cluster.version),
        **render_cluster_files(cluster, slot, node, secrets, cilium, **options),
    }
