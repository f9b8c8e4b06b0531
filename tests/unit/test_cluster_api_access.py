"""The node-local API load balancer config, the host firewall values and the Cilium pins."""

from __future__ import annotations

import re

import pytest

from components.cluster.cilium import CILIUM_FOR_KUBERNETES_MINOR, cilium_version_for
from components.cluster.haproxy import LOCAL_API_PORT, local_api_server, render_haproxy_config
from components.cluster.host_firewall import HostFirewallSpec, firewall_env
from klustered.config import NEWEST_MINOR, OLDEST_MINOR

PLANES = [
    ("blue-control-plane-1", "10.254.0.1"),
    ("blue-control-plane-2", "10.254.0.2"),
    ("blue-control-plane-3", "10.254.0.3"),
]


def test_haproxy_listens_on_loopback_only_and_not_on_the_api_port() -> None:
    cfg = render_haproxy_config(PLANES)
    binds = re.findall(r"^\s+bind (\S+)$", cfg, re.MULTILINE)
    assert binds == [f"127.0.0.1:{LOCAL_API_PORT}"]
    assert LOCAL_API_PORT != 6443
    assert local_api_server() == "https://127.0.0.1:7445"


def test_haproxy_checks_every_control_plane_healthz_over_tls() -> None:
    cfg = render_haproxy_config(PLANES)
    assert "option httpchk GET /healthz" in cfg
    assert "http-check expect status 200" in cfg
    assert re.search(r"default-server check check-ssl verify none", cfg)
    servers = re.findall(r"^\s+server (\S+) (\S+)$", cfg, re.MULTILINE)
    assert servers == [(name, f"{ip}:6443") for name, ip in PLANES]
    assert "mode tcp" in cfg  # TLS passes through to the API server: its certificate, our SANs
    assert "option redispatch" in cfg


def test_haproxy_brackets_ipv6_backends() -> None:
    cfg = render_haproxy_config([("blue-control-plane-1", "fd00::1")])
    assert "server blue-control-plane-1 [fd00::1]:6443" in cfg


@pytest.mark.parametrize(
    ("backends", "port", "message"),
    [
        ([], 7445, "at least one"),
        (PLANES, 6443, "not the API port"),
        ([("a", "10.0.0.1"), ("a", "10.0.0.2")], 7445, "repeat"),
        ([("Bad Name", "10.0.0.1")], 7445, "DNS label"),
        ([("a", "not-an-ip")], 7445, "does not appear to be an IPv4 or IPv6 address"),
    ],
)
def test_haproxy_refuses_what_cannot_work(
    backends: list[tuple[str, str]], port: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        render_haproxy_config(backends, port=port)


def test_firewall_opens_ssh_teleport_api_and_nodeport_by_default() -> None:
    env = firewall_env(HostFirewallSpec())
    assert env["TCP_PORTS"] == "22,443,3022:3026,6443,30000"
    assert env["UDP_PORTS"] == ""
    assert env["TRUSTED_SOURCES"] == ""
    assert env["FIREWALL_CHAIN"] == "KLUSTERED-FIREWALL"


def test_firewall_opens_the_mesh_port_and_trusts_underlay_teammates_once() -> None:
    env = firewall_env(
        HostFirewallSpec(udp_ports=[51820], trusted_sources=["10.0.0.2", "10.0.0.3", "10.0.0.2"])
    )
    assert env["UDP_PORTS"] == "51820"
    assert env["TRUSTED_SOURCES"] == "10.0.0.2 10.0.0.3"


@pytest.mark.parametrize(
    "spec",
    [
        HostFirewallSpec(tcp_ports=()),
        HostFirewallSpec(tcp_ports=("22", "70000")),
        HostFirewallSpec(tcp_ports=("22; rm -rf /",)),
        HostFirewallSpec(udp_ports=[0]),
        HostFirewallSpec(trusted_sources=["10.0.0.0/8"]),
        HostFirewallSpec(public_interface="eth0 -j ACCEPT"),
    ],
)
def test_firewall_refuses_values_that_would_break_the_rules(spec: HostFirewallSpec) -> None:
    with pytest.raises(ValueError):
        firewall_env(spec)


def test_a_cilium_release_is_pinned_for_every_kubernetes_minor_the_config_allows() -> None:
    assert sorted(CILIUM_FOR_KUBERNETES_MINOR) == list(range(OLDEST_MINOR, NEWEST_MINOR + 1))
    for minor in range(OLDEST_MINOR, NEWEST_MINOR + 1):
        assert re.fullmatch(r"1\.\d+\.\d+", cilium_version_for(minor))


def test_cilium_pins_follow_the_tested_kubernetes_ranges() -> None:
    # Cilium's compatibility tables: 1.18 is tested on 1.30-1.33, 1.19 on 1.32-1.35.
    assert cilium_version_for(31).startswith("1.18.")
    for minor in (32, 33, 34, 35):
        assert cilium_version_for(minor).startswith("1.19.")


def test_no_cilium_pin_outside_the_known_range() -> None:
    with pytest.raises(ValueError, match=r"1\.30"):
        cilium_version_for(30)
