"""mesh.sh run for real in a network namespace: real ip/iptables/wg-quick, recorded systemd.

systemctl, wg and apt-get are recorders on PATH (systemctl start creates a tun wg0
with the config's address and MTU); ip, iptables(-restore), ip6tables and
`wg-quick strip` are the real tools acting on the namespace.
"""

from __future__ import annotations

import os
import stat
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from components.mesh.phase import render_mesh_phase
from tests.mesh_fixtures import RenderedNode, missing_tools, render_team_configs

pytestmark = pytest.mark.sandbox

CHAIN = "KLUSTERED-MESH"
EXPECTED_RULES = [
    f"-A {CHAIN} -i wg0 -p tcp -m multiport --dports 10250,2379:2380 -j ACCEPT",
    f"-A {CHAIN} -i pub0 -p udp -m udp --dport 51820 -j ACCEPT",
    f"-A {CHAIN} -i pub0 -p tcp -m multiport --dports 10250,2379:2380 -j DROP",
]

SYSTEMCTL = r"""#!/usr/bin/env bash
set -euo pipefail
echo "systemctl $*" >>"$STUB_LOG"
verb="$1"; shift
[ "${1:-}" = "--quiet" ] && shift
unit="$1"; ifname="${unit#wg-quick@}"
up() {
  conf="$WG_CONF_DIR/$ifname.conf"
  ip tuntap add dev "$ifname" mode tun
  ip addr add "$(awk -F' = ' '$1 == "Address" {print $2}' "$conf")" dev "$ifname"
  ip link set "$ifname" mtu "$(awk -F' = ' '$1 == "MTU" {print $2}' "$conf")" up
}
case "$verb" in
  is-enabled) [ -e "$STUB_STATE/enabled" ] ;;
  is-active) [ -e "$STUB_STATE/active" ] ;;
  enable) touch "$STUB_STATE/enabled" ;;
  start) up; touch "$STUB_STATE/active" ;;
  restart) ip link del "$ifname"; up ;;
  *) exit 2 ;;
esac
"""
WG = r"""#!/usr/bin/env bash
set -euo pipefail
echo "wg $*" >>"$STUB_LOG"
if [ "$1" = syncconf ]; then cp "$3" "$STUB_STATE/synced"; fi
"""
APT_GET = r"""#!/usr/bin/env bash
echo "apt-get $*" >>"$STUB_LOG"
exit 1
"""


@dataclass
class Node:
    """A namespace shaped like a node: a public NIC with a default route, recorders on PATH."""

    ns: str
    root: Path

    @property
    def conf_dir(self) -> Path:
        return self.root / "etc-wireguard"

    @property
    def log(self) -> Path:
        return self.root / "calls.log"

    def run_phase(self, script: str) -> list[str]:
        """Run the phase like pulumi-command does (script on stdin); return the recorded calls."""
        self.log.write_text("")
        result = self.bash(script)
        assert result.returncode == 0, result.stderr
        return [
            line
            for line in self.log.read_text().splitlines()
            if not line.startswith(("systemctl is-enabled", "systemctl is-active"))
        ]

    def bash(self, script: str) -> subprocess.CompletedProcess[str]:
        """`bash -s` in the namespace with the recorders first on PATH."""
        env = {
            "PATH": f"{self.root / 'bin'}:/usr/sbin:/usr/bin:/sbin:/bin",
            "STUB_LOG": str(self.log),
            "STUB_STATE": str(self.root / "state"),
            "WG_CONF_DIR": str(self.conf_dir),
        }
        return subprocess.run(
            ["ip", "netns", "exec", self.ns, "bash", "-s"],
            input=script,
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )

    def saved(self, tool: str) -> list[str]:
        out = subprocess.run(
            ["ip", "netns", "exec", self.ns, tool], capture_output=True, text=True, check=True
        ).stdout
        return [line for line in out.splitlines() if not line.startswith("#")]

    def sh(self, *args: str) -> str:
        return subprocess.run(
            ["ip", "netns", "exec", self.ns, *args], capture_output=True, text=True, check=True
        ).stdout


@pytest.fixture
def node(tmp_path: Path) -> Iterator[Node]:
    missing = missing_tools("ip", "iptables", "iptables-save", "ip6tables", "wg-quick")
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (Debian iproute2 iptables wireguard-tools)")
    if os.geteuid() != 0:
        pytest.skip("needs root for ip netns")
    ns = f"kmphase{uuid.uuid4().hex[:6]}"
    if subprocess.run(["ip", "netns", "add", ns], capture_output=True, check=False).returncode:
        pytest.skip("needs ip netns (cannot create a network namespace here)")
    try:
        for name, body in {"systemctl": SYSTEMCTL, "wg": WG, "apt-get": APT_GET}.items():
            path = tmp_path / "bin" / name
            path.parent.mkdir(exist_ok=True)
            path.write_text(body)
            path.chmod(0o755)
        (tmp_path / "state").mkdir()
        for args in (
            ["ip", "link", "set", "lo", "up"],
            ["ip", "link", "add", "pub0", "type", "veth", "peer", "name", "pub0peer"],
            ["ip", "addr", "add", "198.51.100.10/24", "dev", "pub0"],
            ["ip", "link", "set", "pub0", "up"],
            ["ip", "route", "add", "default", "via", "198.51.100.1"],
            # Someone else's rules: the phase must leave them alone.
            ["iptables", "-A", "INPUT", "-p", "tcp", "--dport", "6443", "-j", "ACCEPT"],
            ["iptables", "-N", "OTHER"],
        ):
            subprocess.run(["ip", "netns", "exec", ns, *args], check=True, capture_output=True)
        yield Node(ns, tmp_path)
    finally:
        subprocess.run(["ip", "netns", "del", ns], check=False, capture_output=True)


def configs(teammates: int, mtu: int = 1420) -> RenderedNode:
    """blue-control-plane-1's rendered config in a team of 1 + `teammates` workers."""
    ips = {"blue-control-plane-1": "198.51.100.10"}
    ips |= {f"blue-worker-{i}": f"198.51.100.{20 + i}" for i in range(1, teammates + 1)}
    nodes = render_team_configs("10.254.0.0/24", [("blue", 1, teammates)], ips, mtu=mtu)
    return next(n for n in nodes if n.name == "blue-control-plane-1")


def phase(rendered: RenderedNode, node: Node, mtu: int = 1420) -> str:
    return render_mesh_phase(
        node=rendered.name,
        config=rendered.config,
        address=rendered.address,
        mtu=mtu,
        port=51820,
        conf_dir=str(node.conf_dir),
    )


def chain_rules(saved: list[str]) -> list[str]:
    return [line for line in saved if line.startswith(f"-A {CHAIN} ")]


def test_first_run_writes_the_config_starts_wg0_and_fills_its_own_chain(node: Node) -> None:
    rendered = configs(teammates=2)

    calls = node.run_phase(phase(rendered, node))

    assert calls == ["systemctl enable wg-quick@wg0", "systemctl start wg-quick@wg0"]
    conf = node.conf_dir / "wg0.conf"
    assert conf.read_text() == rendered.config
    assert stat.S_IMODE(conf.stat().st_mode) == 0o600
    assert stat.S_IMODE(node.conf_dir.stat().st_mode) == 0o700
    assert "inet 10.254.0.1/24" in node.sh("ip", "-4", "addr", "show", "dev", "wg0")
    for tool in ("iptables-save", "ip6tables-save"):
        saved = node.saved(tool)
        assert chain_rules(saved) == EXPECTED_RULES, tool
        input_rules = [line for line in saved if line.startswith("-A INPUT ")]
        assert input_rules[0] == f"-A INPUT -j {CHAIN}", tool
    saved = node.saved("iptables-save")
    assert "-A INPUT -p tcp -m tcp --dport 6443 -j ACCEPT" in saved
    assert ":OTHER - [0:0]" in saved
    assert not [r for r in chain_rules(saved) if any(p in r for p in ("22", "443", "6443"))]


def test_second_run_changes_nothing(node: Node) -> None:
    script = phase(configs(teammates=2), node)
    node.run_phase(script)
    conf = node.conf_dir / "wg0.conf"
    before = (conf.stat().st_ino, conf.stat().st_mtime_ns)
    saved = node.saved("iptables-save"), node.saved("ip6tables-save")

    calls = node.run_phase(script)

    assert calls == []
    assert (conf.stat().st_ino, conf.stat().st_mtime_ns) == before
    assert (node.saved("iptables-save"), node.saved("ip6tables-save")) == saved
    assert node.saved("iptables-save").count(f"-A INPUT -j {CHAIN}") == 1


def test_a_new_teammate_is_synced_into_the_running_interface_without_restart(
    node: Node,
) -> None:
    node.run_phase(phase(configs(teammates=1), node))
    grown = configs(teammates=2)

    calls = node.run_phase(phase(grown, node))

    assert calls == ["wg syncconf wg0 " + calls[0].split()[-1]]
    synced = (node.root / "state" / "synced").read_text()
    assert synced.count("[Peer]") == 2
    assert "AllowedIPs = 10.254.0.7/32" in synced
    assert "Address" not in synced
    assert "MTU" not in synced
    assert (node.conf_dir / "wg0.conf").read_text() == grown.config


def test_a_new_mtu_restarts_the_interface(node: Node) -> None:
    node.run_phase(phase(configs(teammates=1), node))

    calls = node.run_phase(phase(configs(teammates=1, mtu=1380), node, mtu=1380))

    assert calls == ["systemctl restart wg-quick@wg0"]
    assert "mtu 1380" in node.sh("ip", "link", "show", "dev", "wg0")


def test_a_phase_without_default_route_or_public_interface_fails_loudly(node: Node) -> None:
    node.sh("ip", "route", "del", "default")
    script = phase(configs(teammates=1), node)
    result = node.bash(script)

    assert result.returncode != 0
    assert "set PUBLIC_INTERFACE" in result.stderr
