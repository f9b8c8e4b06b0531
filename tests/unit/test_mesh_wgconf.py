"""wg0.conf rendering: interface values, one peer per teammate, sorted, /32 routes."""

from __future__ import annotations

import ipaddress

import pytest

from components.mesh.keys import key_pair_from_seed
from components.mesh.wgconf import WireGuardPeer, endpoint, render_wg_conf

OWN = key_pair_from_seed(b"\x01" * 32)
KEY_B = key_pair_from_seed(b"\x02" * 32).public_key
KEY_C = key_pair_from_seed(b"\x03" * 32).public_key


def peer(name: str, key: str, host: str, address: str) -> WireGuardPeer:
    return WireGuardPeer(name, key, host, ipaddress.IPv4Interface(address))


def render(peers: list[WireGuardPeer], keepalive: int = 25) -> str:
    return render_wg_conf(
        node="blue-control-plane-1",
        private_key=OWN.private_key,
        address=ipaddress.IPv4Interface("10.254.0.1/24"),
        port=51820,
        mtu=1420,
        keepalive=keepalive,
        peers=peers,
    )


def test_config_has_interface_and_one_section_per_peer_sorted_by_name() -> None:
    text = render(
        [
            peer("blue-worker-1", KEY_C, "198.51.100.7", "10.254.0.6/24"),
            peer("blue-control-plane-2", KEY_B, "203.0.113.5", "10.254.0.2/24"),
        ]
    )

    assert text == (
        "# blue-control-plane-1: WireGuard mesh, rendered by klustered (do not edit on the node)\n"
        "[Interface]\n"
        f"PrivateKey = {OWN.private_key}\n"
        "Address = 10.254.0.1/24\n"
        "ListenPort = 51820\n"
        "MTU = 1420\n"
        "\n"
        "[Peer]\n"
        "# blue-control-plane-2\n"
        f"PublicKey = {KEY_B}\n"
        "Endpoint = 203.0.113.5:51820\n"
        "AllowedIPs = 10.254.0.2/32\n"
        "PersistentKeepalive = 25\n"
        "\n"
        "[Peer]\n"
        "# blue-worker-1\n"
        f"PublicKey = {KEY_C}\n"
        "Endpoint = 198.51.100.7:51820\n"
        "AllowedIPs = 10.254.0.6/32\n"
        "PersistentKeepalive = 25\n"
    )


def test_keepalive_zero_leaves_persistent_keepalive_out() -> None:
    text = render([peer("blue-worker-1", KEY_C, "198.51.100.7", "10.254.0.6/24")], keepalive=0)

    assert "PersistentKeepalive" not in text


def test_ipv6_endpoints_are_bracketed() -> None:
    assert endpoint("2001:db8::1", 51820) == "[2001:db8::1]:51820"
    assert endpoint("node.example.org", 51820) == "node.example.org:51820"


def test_a_node_alone_renders_without_peers() -> None:
    assert "[Peer]" not in render([])


@pytest.mark.parametrize(
    ("peers", "message"),
    [
        ([peer("blue-control-plane-1", KEY_B, "203.0.113.5", "10.254.0.2/24")], "itself"),
        (
            [
                peer("blue-worker-1", KEY_B, "203.0.113.5", "10.254.0.6/24"),
                peer("blue-worker-1", KEY_C, "203.0.113.6", "10.254.0.7/24"),
            ],
            "listed twice",
        ),
        (
            [
                peer("blue-worker-1", KEY_B, "203.0.113.5", "10.254.0.6/24"),
                peer("blue-worker-2", KEY_B, "203.0.113.6", "10.254.0.7/24"),
            ],
            "repeats another peer's public key",
        ),
        ([peer("blue-worker-1", KEY_B, "203.0.113.5", "10.254.0.1/24")], "repeats mesh address"),
        ([peer("blue-worker-1", "short", "203.0.113.5", "10.254.0.6/24")], "not a WireGuard key"),
        ([peer("blue-worker-1", KEY_B, "", "10.254.0.6/24")], "not an address"),
    ],
)
def test_inconsistent_peers_are_refused(peers: list[WireGuardPeer], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        render(peers)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("port", 0, "port"), ("mtu", 1000, "mtu"), ("keepalive", -1, "keepalive")],
)
def test_out_of_range_interface_values_are_refused(field: str, value: int, message: str) -> None:
    values = {"port": 51820, "mtu": 1420, "keepalive": 25, field: value}
    with pytest.raises(ValueError, match=message):
        render_wg_conf(
            node="blue-control-plane-1",
            private_key=OWN.private_key,
            address=ipaddress.IPv4Interface("10.254.0.1/24"),
            peers=[],
            **values,
        )
