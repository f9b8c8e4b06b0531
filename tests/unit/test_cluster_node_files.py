"""Per-node bootstrap files: which phases each node gets, and where the secrets travel."""

from __future__ import annotations

import re
import shlex
import tomllib
from importlib import resources
from pathlib import Path

import pytest
import yaml

from components.cluster.cilium import CiliumSpec, cilium_values, render_cilium_values
from components.cluster.kubeadm_config import endpoint_host
from components.cluster.node_files import (
    SECRET_FILES,
    cluster_file_names,
    render_prep_files,
)
from components.nodes import NodeSlot
from tests import cluster_fixtures as fx

REPO = Path(__file__).resolve().parents[2]


def files_for(index: int, version: str = "1.34") -> dict[str, str]:
    slot = fx.slots()[index]
    return fx.render_node_files(
        fx.cluster(version),
        slot,
        fx.node(slot, index + 1),
        fx.secrets(),
        fx.cilium(),
        **fx.cluster_options(),
    )


def test_first_control_plane_initialises_installs_cilium_and_reports() -> None:
    assert list(files_for(0)) == [
        "10-os-prep.sh",
        "20-containerd.sh",
        "30-kubernetes-packages.sh",
        "40-images.sh",
        "43-firewall.sh",
        "haproxy.cfg",
        "44-api-lb.sh",
        "45-api-endpoint.sh",
        "kubeadm.yaml",
        "kubeadm-rejoin.yaml",
        "50-kubeadm-init.sh",
        "cilium-values.yaml",
        "60-cilium.sh",
        "70-ready.sh",
        "80-admin-kubeconfig.sh",
    ]


def test_other_control_planes_join_and_workers_skip_image_prepull() -> None:
    assert list(files_for(1)) == [
        "10-os-prep.sh",
        "20-containerd.sh",
        "30-kubernetes-packages.sh",
        "40-images.sh",
        "43-firewall.sh",
        "haproxy.cfg",
        "44-api-lb.sh",
        "45-api-endpoint.sh",
        "kubeadm.yaml",
        "50-kubeadm-join.sh",
    ]
    assert list(files_for(3)) == [
        "10-os-prep.sh",
        "20-containerd.sh",
        "30-kubernetes-packages.sh",
        "43-firewall.sh",
        "haproxy.cfg",
        "44-api-lb.sh",
        "45-api-endpoint.sh",
        "kubeadm.yaml",
        "50-kubeadm-join.sh",
    ]


def test_phase_scripts_are_numbered_in_run_order() -> None:
    for index in range(5):
        numbers = [int(n[:2]) for n in files_for(index) if n.endswith(".sh")]
        assert numbers == sorted(numbers)
        assert len(set(numbers)) == len(numbers)


def test_join_kinds_follow_the_node_role() -> None:
    assert "controlPlane" in yaml.safe_load(files_for(1)["kubeadm.yaml"])
    assert "controlPlane" not in yaml.safe_load(files_for(4)["kubeadm.yaml"])


def test_scripts_carry_their_inputs_as_exports_at_the_top() -> None:
    script = files_for(0)["30-kubernetes-packages.sh"]
    lines = script.splitlines()
    assert lines[0] == "#!/usr/bin/env bash"
    assert "export K8S_SERIES=v1.34" in lines[:6]
    assert "export K8S_PACKAGE_VERSION=''" in lines[:6]
    exact = files_for(0, "1.34.2")["30-kubernetes-packages.sh"]
    assert "export K8S_PACKAGE_VERSION=1.34.2" in exact.splitlines()


def _body_after_exports(script: str) -> str:
    """The script text after its `export NAME='...'` header (values may span lines)."""
    marker = "# Helpers shared by every bootstrap phase"
    assert marker in script
    return script.split(marker, 1)[1]


def test_secrets_appear_only_in_the_exported_inputs_of_secret_files() -> None:
    s = fx.secrets()
    secret_values = [
        s.bootstrap_token,
        s.pki.ca_key.splitlines()[1],
        s.pki.etcd_ca_key.splitlines()[1],
        s.pki.front_proxy_ca_key.splitlines()[1],
        s.pki.sa_key.splitlines()[1],
    ]
    for index in range(5):
        for name, text in files_for(index).items():
            if name.endswith(".sh"):
                body = _body_after_exports(text)
                assert not [v for v in secret_values if v in body], name
            if name not in SECRET_FILES:
                assert not [v for v in secret_values if v in text], name


@pytest.mark.parametrize("index", [0, 1, 2])
def test_every_control_plane_gets_every_ca_file_kubeadm_reuses(index: int) -> None:
    name = "50-kubeadm-init.sh" if index == 0 else "50-kubeadm-join.sh"
    script = files_for(index)[name]
    pki = fx.secrets().pki
    for pem in (pki.ca_cert, pki.front_proxy_ca_cert, pki.etcd_ca_cert, pki.sa_pub):
        assert pem.strip() in script
    for key in (pki.ca_key, pki.front_proxy_ca_key, pki.etcd_ca_key, pki.sa_key):
        assert key.strip() in script
    for target in ("ca.key", "front-proxy-ca.key", "etcd/ca.key", "sa.key", "sa.pub"):
        assert f'"$pki/{target}"' in script
    assert not re.search(r"^[^#]*--upload-certs", script, re.MULTILINE)


@pytest.mark.parametrize("index", [3, 4])
def test_workers_never_receive_a_ca_key(index: int) -> None:
    text = "".join(files_for(index).values())
    assert "PRIVATE KEY" not in text
    assert "export CONTROL_PLANE=0" in files_for(index)["50-kubeadm-join.sh"]


def test_no_command_line_takes_a_secret_as_an_argument() -> None:
    # kubeadm gets its token from a private config file, never argv.
    for index in range(5):
        for name, text in files_for(index).items():
            if not name.endswith(".sh"):
                continue
            body = _body_after_exports(text)
            assert not re.search(
                r"kubeadm [a-z]+ .*--(token|certificate-key|discovery-token)", body
            )


def test_every_rendered_file_is_ascii() -> None:
    for index in range(5):
        for name, text in files_for(index).items():
            assert text.isascii(), name


def test_cilium_values_replace_kube_proxy_and_carry_mtu_and_endpoint() -> None:
    values = yaml.safe_load(files_for(0)["cilium-values.yaml"])
    assert values["kubeProxyReplacement"] is True
    # The node-local load balancer: no single control plane between Cilium and the API.
    assert values["k8sServiceHost"] == "127.0.0.1"
    assert values["k8sServicePort"] == 7445
    assert values["MTU"] == 1420
    assert values["ipam"]["operator"]["clusterPoolIPv4PodCIDRList"] == ["10.244.0.0/16"]
    assert "export CILIUM_VERSION=1.19.8" in files_for(0)["60-cilium.sh"]


def test_cilium_mtu_zero_means_autodetect_and_negative_is_refused() -> None:
    assert "MTU" not in cilium_values(CiliumSpec(api_host="10.0.0.1"))
    with pytest.raises(ValueError):
        render_cilium_values(CiliumSpec(api_host="10.0.0.1", mtu=-1))


def test_ready_step_waits_for_the_expected_node_names() -> None:
    script = files_for(0)["70-ready.sh"]
    names = " ".join(fx.expected_nodes())
    assert f"export EXPECTED_NODES='{names}'" in script
    assert "export UNTAINT_CONTROL_PLANES=0" in script
    assert "export READY_TIMEOUT_SECONDS=900" in script


def test_ready_step_untaints_control_planes_when_there_is_no_worker() -> None:
    slot = fx.slots()[0]
    files = fx.render_node_files(
        fx.cluster(), slot, fx.node(slot, 1), fx.secrets(), fx.cilium(), **fx.cluster_options(3, 0)
    )
    assert "export UNTAINT_CONTROL_PLANES=1" in files["70-ready.sh"]


def test_node_name_must_match_its_slot() -> None:
    slot = fx.slots()[0]
    other = NodeSlot("blue", slot.role, 2)
    with pytest.raises(ValueError, match="does not match"):
        fx.render_node_files(
            fx.cluster(), other, fx.node(slot, 1), fx.secrets(), fx.cilium(), **fx.cluster_options()
        )


def test_scripts_ship_as_package_data() -> None:
    # An installed wheel carries *.sh through the package-data glob; the script directory
    # must be a package so importlib.resources finds it.
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert "*.sh" in config["tool"]["setuptools"]["package-data"]["*"]
    include = config["tool"]["setuptools"]["packages"]["find"]["include"]
    assert "components*" in include
    shipped = {p.name for p in resources.files("components.cluster.scripts").iterdir()}
    assert {"_lib.sh", "10-os-prep.sh", "50-kubeadm-init.sh", "80-admin-kubeconfig.sh"} <= shipped
    assert (resources.files("components.workload") / "goal_check.sh").is_file()


def test_prep_phases_need_nothing_from_the_rest_of_the_cluster() -> None:
    slot = fx.slots()[3]
    prep = render_prep_files(slot, fx.cluster("1.34").version)
    assert list(prep) == ["10-os-prep.sh", "20-containerd.sh", "30-kubernetes-packages.sh"]
    assert {k: v for k, v in files_for(3).items() if k in prep} == prep


def test_api_endpoint_phase_knows_every_control_plane_in_order() -> None:
    script = files_for(3)["45-api-endpoint.sh"]
    host = endpoint_host(fx.cluster("1.34").control_plane_endpoint)
    assert f"export API_ENDPOINT_NAME={host}" in script
    assert "export CONTROL_PLANE_ADDRESSES='10.254.0.1 10.254.0.2 10.254.0.3'" in script
    assert "export NODE_ADDRESS=10.254.0.4" in script


def test_every_node_balances_over_every_control_plane() -> None:
    for index in range(5):
        cfg = files_for(index)["haproxy.cfg"]
        assert "bind 127.0.0.1:7445" in cfg
        servers = [line.split()[1:3] for line in cfg.splitlines() if line.startswith("    server ")]
        assert servers == [[name, f"{ip}:6443"] for name, ip in fx.control_planes()]
        assert f"export HAPROXY_CFG={shlex.quote(cfg)}" in files_for(index)["44-api-lb.sh"]


def test_cluster_file_names_are_known_before_rendering() -> None:
    for index, slot in enumerate(fx.slots()):
        rendered = [
            n
            for n in files_for(index)
            if n not in render_prep_files(slot, fx.cluster("1.34").version)
        ]
        assert cluster_file_names(slot, with_firewall=True) == rendered


def test_every_apt_call_waits_for_the_dpkg_lock() -> None:
    # unattended-upgrades holds the lock on a fresh machine's first boot.
    scripts = [
        *resources.files("components.cluster.scripts").iterdir(),
        resources.files("components.mesh.scripts") / "mesh.sh",
    ]
    calls = 0
    for script in scripts:
        if not script.name.endswith(".sh"):
            continue
        for line in script.read_text(encoding="ascii").splitlines():
            code = line.split("#", 1)[0]
            if re.search(r"\bapt-get\b|\bapt-mark\b.*\b(un)?hold\b", code):
                calls += 1
                assert "-o DPkg::Lock::Timeout=600" in code, (script.name, line)
    assert calls >= 4
