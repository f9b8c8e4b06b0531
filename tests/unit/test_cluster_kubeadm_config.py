"""kubeadm configs: v1beta4 field names, CA pinning, node-ip, versions, kube-proxy off."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from components.cluster.kubeadm_config import (
    ClusterSpec,
    NodeSpec,
    endpoint_host,
    endpoint_port,
    render_init_config,
    render_join_config,
    with_default_port,
)
from components.cluster.kubernetes_version import KubernetesVersion
from components.cluster.pki import ca_cert_hash
from tests import cluster_fixtures as fx
from tests.kubeadm_v1beta4 import V1BETA4, check_documents, unknown_keys


def _init(version: str = "1.34", **node_kw: Any) -> str:
    slot = fx.slots()[0]
    return render_init_config(
        fx.cluster(version),
        NodeSpec(name=slot.name, node_ip="10.254.0.1", **node_kw),
        bootstrap_token=fx.TOKEN,
    )


def _join(index: int, *, control_plane: bool) -> str:
    slot = fx.slots()[index]
    return render_join_config(
        fx.cluster(),
        fx.node(slot, index + 1),
        bootstrap_token=fx.TOKEN,
        ca_cert_hash=ca_cert_hash(fx.secrets().pki.ca_cert),
        control_plane=control_plane,
    )


RENDERED = {
    "init-minor": lambda: _init("1.34"),
    "init-exact": lambda: _init("1.34.2"),
    "init-untainted": lambda: _init("1.34", untainted_control_plane=True),
    "init-extra-kubelet-args": lambda: _init("1.34", extra_kubelet_args=(("max-pods", "50"),)),
    "join-control-plane": lambda: _join(1, control_plane=True),
    "join-worker": lambda: _join(3, control_plane=False),
}


@pytest.mark.parametrize("name", sorted(RENDERED))
def test_rendered_configs_use_only_v1beta4_fields(name: str) -> None:
    check_documents(RENDERED[name]())


def test_field_walker_catches_a_misspelt_or_misplaced_field() -> None:
    doc = yaml.safe_load(_join(3, control_plane=False))
    doc["discovery"]["bootstrapToken"]["caCertHash"] = ["sha256:00"]
    doc["nodeRegistration"]["kubeletExtraArgs"] = {"node-ip": "10.0.0.1"}  # v1beta3 shape
    doc["apiServer"] = {}
    assert unknown_keys(doc, V1BETA4["JoinConfiguration"]) == [
        "nodeRegistration.kubeletExtraArgs: expected a list",
        "discovery.bootstrapToken.caCertHash",
        "apiServer",
    ]


def test_init_file_has_init_kubelet_then_cluster_configuration_last() -> None:
    kinds = [d["kind"] for d in yaml.safe_load_all(_init())]
    assert kinds == ["InitConfiguration", "KubeletConfiguration", "ClusterConfiguration"]


def test_kubelet_uses_the_systemd_cgroup_driver() -> None:
    kubelet = list(yaml.safe_load_all(_init()))[1]
    assert kubelet["cgroupDriver"] == "systemd"


def test_exact_version_is_written_and_a_minor_is_left_to_the_node() -> None:
    exact = list(yaml.safe_load_all(_init("1.34.2")))[-1]
    minor = list(yaml.safe_load_all(_init("1.34")))[-1]
    assert exact["kubernetesVersion"] == "v1.34.2"
    assert "kubernetesVersion" not in minor


def test_init_sets_token_endpoint_and_sans_without_a_certificate_key() -> None:
    init, _kubelet, cluster = yaml.safe_load_all(_init())
    assert init["bootstrapTokens"][0]["token"] == fx.TOKEN
    assert "certificateKey" not in init  # the CAs are placed, never uploaded
    assert init["localAPIEndpoint"] == {"advertiseAddress": "10.254.0.1", "bindPort": 6443}
    assert cluster["controlPlaneEndpoint"] == "api.blue.klustered.live:6443"
    sans = set(cluster["apiServer"]["certSANs"])
    # 127.0.0.1 and localhost: kubelet and Cilium come through the node-local load balancer.
    assert {"147.75.1.10", "api.blue.klustered.live", "127.0.0.1", "localhost"} <= sans
    assert cluster["networking"] == {"podSubnet": "10.244.0.0/16", "serviceSubnet": "10.96.0.0/12"}
    assert cluster["clusterName"] == "blue"


def test_kube_proxy_is_disabled_because_cilium_replaces_it() -> None:
    cluster = list(yaml.safe_load_all(_init()))[-1]
    assert cluster["proxy"] == {"disabled": True}


def test_node_ip_is_a_kubelet_extra_arg_list_entry() -> None:
    init = next(yaml.safe_load_all(_init()))
    assert init["nodeRegistration"]["kubeletExtraArgs"] == [
        {"name": "node-ip", "value": "10.254.0.1"}
    ]


def test_untainted_control_plane_registers_with_an_empty_taint_list() -> None:
    assert (
        next(yaml.safe_load_all(_init(untainted_control_plane=True)))["nodeRegistration"]["taints"]
        == []
    )
    assert "taints" not in next(yaml.safe_load_all(_init()))["nodeRegistration"]


def test_every_join_pins_the_cluster_ca_and_never_skips_verification() -> None:
    pin = ca_cert_hash(fx.secrets().pki.ca_cert)
    for text in (_join(1, control_plane=True), _join(3, control_plane=False)):
        assert "unsafeSkipCAVerification" not in text
        discovery = yaml.safe_load(text)["discovery"]["bootstrapToken"]
        assert discovery["caCertHashes"] == [pin]
        assert discovery["apiServerEndpoint"] == "api.blue.klustered.live:6443"
        assert discovery["token"] == fx.TOKEN


def test_control_plane_join_advertises_its_address_without_a_certificate_key() -> None:
    cp = yaml.safe_load(_join(1, control_plane=True))
    worker = yaml.safe_load(_join(3, control_plane=False))
    assert cp["controlPlane"] == {
        "localAPIEndpoint": {"advertiseAddress": "10.254.0.2", "bindPort": 6443},
    }
    assert "controlPlane" not in worker
    assert worker["nodeRegistration"]["name"] == "blue-worker-1"


def test_bad_secrets_are_refused_before_rendering() -> None:
    slot = fx.slots()[0]
    node = NodeSpec(name=slot.name, node_ip="10.254.0.1")
    with pytest.raises(ValueError):
        render_init_config(fx.cluster(), node, bootstrap_token="nope")
    with pytest.raises(ValueError):
        render_join_config(fx.cluster(), node, bootstrap_token=fx.TOKEN, ca_cert_hash="sha256:x")


@pytest.mark.parametrize(
    ("endpoint", "with_port", "host", "port"),
    [
        (
            "api.blue.klustered.live",
            "api.blue.klustered.live:6443",
            "api.blue.klustered.live",
            6443,
        ),
        ("10.0.0.1:7443", "10.0.0.1:7443", "10.0.0.1", 7443),
        ("[fd00::1]:6443", "[fd00::1]:6443", "fd00::1", 6443),
        ("fd00::1", "[fd00::1]:6443", "fd00::1", 6443),
    ],
)
def test_endpoint_gets_the_default_api_port(
    endpoint: str, with_port: str, host: str, port: int
) -> None:
    assert with_default_port(endpoint) == with_port
    assert endpoint_host(endpoint) == host
    assert endpoint_port(endpoint) == port


def test_kube_proxy_can_be_kept() -> None:
    spec = ClusterSpec(
        name="blue",
        version=KubernetesVersion.parse("1.34"),
        control_plane_endpoint="10.0.0.1",
        kube_proxy=True,
    )
    slot = fx.slots()[0]
    text = render_init_config(
        spec,
        NodeSpec(name=slot.name, node_ip="10.0.0.1"),
        bootstrap_token=fx.TOKEN,
    )
    assert list(yaml.safe_load_all(text))[-1]["proxy"] == {"disabled": False}
