"""Phase 43 (host firewall) for real: the rendered script with real iptables in a network
namespace shaped like a node (public NIC pub0, default route), probed from a namespace
on the other side of the wire. With and without the mesh phase's own chain (mesh.sh run
for real, with the mesh tests' recorders for systemctl, wg and apt-get).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from components.cluster.host_firewall import CHAIN, HostFirewallSpec
from components.mesh.phase import render_mesh_phase
from tests import cluster_fixtures as fx
from tests.mesh_fixtures import render_team_configs

pytestmark = pytest.mark.sandbox

NODE_IP = "198.51.100.10"
OUTSIDE_IP = "198.51.100.1"
TEAMMATE_IP = "198.51.100.20"
TCP_PORTS = [22, 443, 3022, 3026, 6443, 30000, 10250, 2379, 8080]
UDP_PORTS = [51820, 8472]

LISTEN = r"""
import socket, sys, threading
tcp, udp = [int(p) for p in sys.argv[1].split(",")], [int(p) for p in sys.argv[2].split(",") if p]
def serve_tcp(port):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port)); s.listen()
    while True:
        c, _ = s.accept(); c.sendall(b"hi"); c.close()
def serve_udp(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", port))
    while True:
        data, peer = s.recvfrom(100); s.sendto(data, peer)
for p in tcp: threading.Thread(target=serve_tcp, args=(p,), daemon=True).start()
for p in udp: threading.Thread(target=serve_udp, args=(p,), daemon=True).start()
print("ready", flush=True)
threading.Event().wait()
"""

PROBE = r"""
import socket, sys
kind, host, source = sys.argv[1], sys.argv[2], sys.argv[3]
for port in [int(p) for p in sys.argv[4].split(",")]:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM)
    s.settimeout(0.7)
    if source != "-":
        s.bind((source, 0))
    try:
        if kind == "tcp":
            s.connect((host, port)); ok = s.recv(2) == b"hi"
        else:
            s.sendto(b"ping", (host, port)); ok = s.recvfrom(10)[0] == b"ping"
    except OSError:
        ok = False
    s.close()
    print(f"{port}:{'open' if ok else 'closed'}", flush=True)
"""

SYSTEMCTL = r"""#!/usr/bin/env bash
set -euo pipefail
verb="$1"; shift
[ "${1:-}" = "--quiet" ] && shift
unit="$1"; ifname="${unit#wg-quick@}"
case "$verb" in
  is-enabled) [ -e "$STUB_STATE/enabled" ] ;;
  is-active) [ -e "$STUB_STATE/active" ] ;;
  enable) touch "$STUB_STATE/enabled" ;;
  start)
    conf="$WG_CONF_DIR/$ifname.conf"
    ip tuntap add dev "$ifname" mode tun
    ip addr add "$(awk -F' = ' '$1 == "Address" {print $2}' "$conf")" dev "$ifname"
    ip link set "$ifname" mtu "$(awk -F' = ' '$1 == "MTU" {print $2}' "$conf")" up
    touch "$STUB_STATE/active" ;;
  *) exit 2 ;;
esac
"""


def _missing() -> str | None:
    if os.geteuid() != 0:
        return "needs root for ip netns"
    for tool in ("ip", "iptables", "iptables-restore", "ip6tables", "ping"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (Debian iproute2, iptables, iputils-ping)"
    return None


@dataclass
class Wire:
    """A node namespace and an outside namespace joined by pub0."""

    node: str
    outside: str
    work: Path
    procs: list[subprocess.Popen[str]] = field(default_factory=list)

    def run(self, ns: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        env = {
            "PATH": f"{self.work / 'bin'}:/usr/sbin:/usr/bin:/sbin:/bin",
            "STUB_STATE": str(self.work / "state"),
            "WG_CONF_DIR": str(self.work / "wireguard"),
        }
        return subprocess.run(
            ["ip", "netns", "exec", ns, *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )

    def phase(self, script: str) -> None:
        done = self.run(self.node, "bash", "-s", stdin=script)
        assert done.returncode == 0, done.stderr

    def probe(self, kind: str, ports: list[int], *, source: str = "-") -> dict[int, str]:
        done = self.run(
            self.outside,
            sys.executable,
            "-c",
            PROBE,
            kind,
            NODE_IP,
            source,
            ",".join(map(str, ports)),
        )
        assert done.returncode == 0, done.stderr
        return {int(k): v for k, v in (line.split(":") for line in done.stdout.split())}

    def rules(self, tool: str = "iptables") -> list[str]:
        return self.run(self.node, tool, "-w", "-S").stdout.splitlines()


@pytest.fixture
def wire(tmp_path: Path) -> Iterator[Wire]:
    reason = _missing()
    if reason:
        pytest.skip(reason)
    suffix = uuid.uuid4().hex[:6]
    wire = Wire(f"k9fwn{suffix}", f"k9fwo{suffix}", tmp_path)
    created: list[str] = []
    try:
        for ns in (wire.node, wire.outside):
            added = subprocess.run(["ip", "netns", "add", ns], capture_output=True, check=False)
            if added.returncode:
                pytest.skip("cannot create a network namespace here")
            created.append(ns)
        (tmp_path / "bin").mkdir()
        (tmp_path / "state").mkdir()
        for name, body in {
            "systemctl": SYSTEMCTL,
            "wg": "#!/usr/bin/env bash\nexit 0\n",
            "apt-get": "#!/usr/bin/env bash\nexit 1\n",  # nothing may be installed
        }.items():
            (tmp_path / "bin" / name).write_text(body)
            (tmp_path / "bin" / name).chmod(0o755)
        near, far = f"k9fp{suffix}", f"k9fq{suffix}"
        node, outside = ["ip", "netns", "exec", wire.node], ["ip", "netns", "exec", wire.outside]
        for args in (
            ["ip", "link", "add", near, "type", "veth", "peer", "name", far],
            ["ip", "link", "set", near, "netns", wire.node],
            ["ip", "link", "set", far, "netns", wire.outside],
            [*node, "ip", "link", "set", near, "name", "pub0"],
            [*node, "ip", "addr", "add", f"{NODE_IP}/24", "dev", "pub0"],
            [*node, "ip", "link", "set", "pub0", "up"],
            [*node, "ip", "link", "set", "lo", "up"],
            [*node, "ip", "route", "add", "default", "via", OUTSIDE_IP],
            [*outside, "ip", "addr", "add", f"{OUTSIDE_IP}/24", "dev", far],
            [*outside, "ip", "addr", "add", f"{TEAMMATE_IP}/24", "dev", far],
            [*outside, "ip", "link", "set", far, "up"],
            [*outside, "ip", "link", "set", "lo", "up"],
        ):
            subprocess.run(args, check=True, capture_output=True)
        for ns, tcp, udp in (
            (wire.node, TCP_PORTS, UDP_PORTS),
            (wire.outside, [9000], []),
        ):
            proc = subprocess.Popen(
                [
                    "ip", "netns", "exec", ns, sys.executable, "-c", LISTEN,
                    ",".join(map(str, tcp)), ",".join(map(str, udp)),
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )  # fmt: skip
            wire.procs.append(proc)
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "ready"
        yield wire
    finally:
        for proc in wire.procs:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
            proc.communicate(timeout=10)
        for ns in created:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, check=False)


def firewall_phase(spec: HostFirewallSpec) -> str:
    slot = fx.slots()[3]
    options = {**fx.cluster_options(), "firewall": spec}
    files = fx.render_node_files(
        fx.cluster(), slot, fx.node(slot, 4), fx.secrets(), fx.cilium(), **options
    )
    return files["43-firewall.sh"]


def mesh_phase(wire: Wire) -> str:
    ips = {"blue-control-plane-1": NODE_IP, "blue-worker-1": TEAMMATE_IP}
    [node, _] = render_team_configs("10.254.0.0/24", [("blue", 1, 1)], ips)
    return render_mesh_phase(
        node=node.name,
        config=node.config,
        address=node.address,
        mtu=1420,
        port=51820,
        conf_dir=str(wire.work / "wireguard"),
    )


OPEN_TO_ALL = {22, 443, 3022, 3026, 6443, 30000}


def test_without_a_firewall_every_port_answers(wire: Wire) -> None:
    # The probes can tell open from closed: before phase 43 everything is open.
    assert set(wire.probe("tcp", TCP_PORTS).values()) == {"open"}
    assert set(wire.probe("udp", UDP_PORTS).values()) == {"open"}


def test_underlay_cluster_public_ports_and_teammates_only(wire: Wire) -> None:
    wire.phase(firewall_phase(HostFirewallSpec(trusted_sources=[TEAMMATE_IP])))

    tcp = wire.probe("tcp", TCP_PORTS)
    assert {p for p, state in tcp.items() if state == "open"} == OPEN_TO_ALL
    assert set(wire.probe("udp", UDP_PORTS).values()) == {"closed"}
    # Cluster-internal traffic from a teammate's address keeps working, on any port.
    assert set(wire.probe("tcp", TCP_PORTS, source=TEAMMATE_IP).values()) == {"open"}
    assert set(wire.probe("udp", UDP_PORTS, source=TEAMMATE_IP).values()) == {"open"}
    _node_keeps_loopback_replies_and_icmp(wire)


def test_meshed_cluster_opens_the_mesh_port_and_trusts_nobody_on_the_public_side(
    wire: Wire,
) -> None:
    wire.phase(firewall_phase(fx.firewall()))  # what a meshed cluster renders

    tcp = wire.probe("tcp", TCP_PORTS, source=TEAMMATE_IP)
    assert {p for p, state in tcp.items() if state == "open"} == OPEN_TO_ALL
    assert wire.probe("udp", UDP_PORTS) == {51820: "open", 8472: "closed"}
    _node_keeps_loopback_replies_and_icmp(wire)


@pytest.mark.parametrize("order", ["mesh-first", "firewall-first"])
def test_firewall_and_mesh_chains_hold_together_in_either_order(wire: Wire, order: str) -> None:
    phases = [mesh_phase(wire), firewall_phase(fx.firewall())]
    for script in phases if order == "mesh-first" else reversed(phases):
        wire.phase(script)

    rules = wire.rules()
    assert "-A INPUT -j KLUSTERED-MESH" in rules
    assert f"-A INPUT -i pub0 -j {CHAIN}" in rules
    assert [r for r in rules if r.startswith("-A KLUSTERED-MESH ")]  # the mesh's rules stay
    tcp = wire.probe("tcp", TCP_PORTS)
    assert {p for p, state in tcp.items() if state == "open"} == OPEN_TO_ALL
    assert wire.probe("udp", UDP_PORTS) == {51820: "open", 8472: "closed"}
    _node_keeps_loopback_replies_and_icmp(wire)

    # Running both again changes nothing.
    before = wire.rules(), wire.rules("ip6tables")
    for script in phases:
        wire.phase(script)
    assert (wire.rules(), wire.rules("ip6tables")) == before


def test_a_second_run_changes_nothing_and_jumps_once(wire: Wire) -> None:
    script = firewall_phase(fx.firewall())
    wire.phase(script)
    before = wire.rules(), wire.rules("ip6tables")
    wire.phase(script)
    assert (wire.rules(), wire.rules("ip6tables")) == before
    assert before[0].count(f"-A INPUT -i pub0 -j {CHAIN}") == 1
    assert before[1].count(f"-A INPUT -i pub0 -j {CHAIN}") == 1
    assert before[0][-1] == f"-A {CHAIN} -j DROP"


def test_new_rules_replace_the_old_ones(wire: Wire) -> None:
    wire.phase(firewall_phase(HostFirewallSpec(trusted_sources=[TEAMMATE_IP])))
    wire.phase(firewall_phase(fx.firewall()))
    rules = wire.rules()
    assert not [r for r in rules if TEAMMATE_IP in r]
    assert wire.probe("tcp", [10250], source=TEAMMATE_IP) == {10250: "closed"}


def _node_keeps_loopback_replies_and_icmp(wire: Wire) -> None:
    # Loopback is not the public interface.
    local = wire.run(wire.node, sys.executable, "-c", PROBE, "tcp", "127.0.0.1", "-", "10250,8080")
    assert local.stdout.split() == ["10250:open", "8080:open"], local.stderr
    # Replies to the node's own connections come back (conntrack), ICMP passes.
    out = wire.run(
        wire.node, sys.executable, "-c", PROBE, "tcp", OUTSIDE_IP, "-", "9000"
    ).stdout.split()
    assert out == ["9000:open"]
    ping = wire.run(wire.outside, "ping", "-c", "1", "-W", "1", NODE_IP)
    assert ping.returncode == 0, ping.stdout + ping.stderr
