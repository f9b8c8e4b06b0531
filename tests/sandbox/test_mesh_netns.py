"""A real WireGuard mesh across network namespaces, built from the rendered wg0.conf files.

Every node gets its own namespace, a veth into a hub namespace holding the underlay
bridge (the node's veth address is its public address), and a userspace wireguard-go
interface with a unique name (its control socket in /var/run/wireguard is shared by
all namespaces). Two teams share the underlay; only teammates are peers.
"""

from __future__ import annotations

import ipaddress
import os
import re
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import permutations
from pathlib import Path

import pytest

from klustered.plan import plan_stack, write_plan
from klustered.stackfile import load_stack_file
from tests.mesh_fixtures import RenderedNode, missing_tools, nodes_from_plan

pytestmark = pytest.mark.sandbox

STACK = Path(__file__).resolve().parents[1] / "stacks" / "sandbox" / "Pulumi.mesh.yaml"
UNDERLAY_PREFIX = 15
UNDERLAY_MTU = 1460
"""The veths carry GCP's VPC MTU: the sandbox stack runs on GCP, and its rendered mesh MTU
(1460 - 80) must cross that underlay without fragmenting."""
SOCKET_DIR = Path("/var/run/wireguard")


def rendered_wg_confs(plan_dir: Path) -> list[RenderedNode]:
    """The wg0.conf of every node, from the offline plan of the sandbox stack.

    The plan gives every machine a public address in 198.18.0.0/15 (reserved for network
    tests); the test puts exactly those addresses on its veths, so the rendered Endpoints
    are used as they are.
    """
    write_plan(plan_stack(load_stack_file(str(STACK))), plan_dir)
    nodes = nodes_from_plan(plan_dir)
    public = [n.public_ip for n in nodes]
    assert len(set(public)) == len(public), f"the plan repeats a public address: {public}"
    assert all(ipaddress.ip_address(ip) in ipaddress.ip_network("198.18.0.0/15") for ip in public)
    return nodes


def rendered_mtu(node: RenderedNode) -> int:
    """The MTU the plan rendered into the node's wg0.conf."""
    found = re.search(r"^MTU = (\d+)$", node.config, re.MULTILINE)
    assert found is not None, f"{node.name}: no MTU in wg0.conf"
    return int(found.group(1))


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True, check=check, timeout=20)


@dataclass
class Sandbox:
    """Everything the test started, so it can be torn down by name and PID."""

    tag: str
    namespaces: list[str] = field(default_factory=list)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    sockets: list[Path] = field(default_factory=list)
    node_ns: dict[str, str] = field(default_factory=dict)
    node_if: dict[str, str] = field(default_factory=dict)

    def add_namespace(self, name: str) -> str:
        run("ip", "netns", "add", name)
        self.namespaces.append(name)
        run("ip", "-n", name, "link", "set", "lo", "up")
        return name

    def stop_process(self, node: str) -> None:
        proc = self.processes.pop(node, None)
        if proc is None:
            return
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)

    def remove_node(self, node: str) -> None:
        self.stop_process(node)
        ns = self.node_ns.pop(node)
        run("ip", "netns", "del", ns, check=False)
        self.namespaces.remove(ns)

    def teardown(self) -> None:
        for node in list(self.processes):
            self.stop_process(node)
        for ns in reversed(self.namespaces):
            run("ip", "netns", "del", ns, check=False)
        self.namespaces.clear()
        for sock in self.sockets:
            sock.unlink(missing_ok=True)


def preflight() -> None:
    missing = missing_tools("wireguard-go", "wg", "wg-quick", "ip", "ping")
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (Debian wireguard-go wireguard-tools iproute2)")
    if os.geteuid() != 0:
        pytest.skip("needs root for ip netns and wireguard-go")
    if not Path("/dev/net/tun").exists():
        pytest.skip("needs /dev/net/tun for wireguard-go")
    probe = f"kmprobe{uuid.uuid4().hex[:6]}"
    if run("ip", "netns", "add", probe, check=False).returncode != 0:
        pytest.skip("needs ip netns (cannot create a network namespace here)")
    run("ip", "netns", "del", probe, check=False)


def listen_only(stripped: str) -> str:
    """A wg config with the keepalives left out: the node answers handshakes, never starts one."""
    return "".join(
        line
        for line in stripped.splitlines(keepends=True)
        if not line.replace(" ", "").startswith("PersistentKeepalive=")
    )


def bring_up(sandbox: Sandbox, nodes: list[RenderedNode], workdir: Path) -> dict[str, Path]:
    """Underlay bridge in a hub namespace, one namespace + veth + wireguard-go per node.

    Every node ends up listening with all its peers but without keepalives, so no
    handshake has started yet. Returns the full stripped config of every node.
    """
    tag = sandbox.tag
    hub = sandbox.add_namespace(f"km{tag}-hub")
    run("ip", "-n", hub, "link", "add", "br0", "type", "bridge")
    run("ip", "-n", hub, "link", "set", "br0", "up")
    full: dict[str, Path] = {}
    for i, node in enumerate(nodes):
        ns = sandbox.add_namespace(f"km{tag}-{node.name}")
        sandbox.node_ns[node.name] = ns
        node_veth, hub_veth, wg_if = f"km{tag}n{i}", f"km{tag}h{i}", f"wgk{tag}{i}"
        sandbox.node_if[node.name] = wg_if
        run("ip", "link", "add", node_veth, "netns", ns, "type", "veth",
            "peer", "name", hub_veth, "netns", hub)  # fmt: skip
        run("ip", "-n", hub, "link", "set", hub_veth, "master", "br0", "up")
        run("ip", "-n", ns, "addr", "add", f"{node.public_ip}/{UNDERLAY_PREFIX}", "dev", node_veth)
        run("ip", "-n", ns, "link", "set", node_veth, "mtu", str(UNDERLAY_MTU), "up")
        run("ip", "-n", hub, "link", "set", hub_veth, "mtu", str(UNDERLAY_MTU))

        conf = workdir / f"{wg_if}.conf"
        conf.write_text(node.config)
        conf.chmod(0o600)
        stripped = run("wg-quick", "strip", str(conf)).stdout
        full[node.name] = workdir / f"{wg_if}.stripped"
        full[node.name].write_text(stripped)
        quiet = workdir / f"{wg_if}.listen-only"
        quiet.write_text(listen_only(stripped))
        for private in (full[node.name], quiet):
            private.chmod(0o600)

        sock = SOCKET_DIR / f"{wg_if}.sock"
        sandbox.sockets.append(sock)
        sandbox.processes[node.name] = subprocess.Popen(
            ["ip", "netns", "exec", ns, "wireguard-go", "-f", wg_if],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not sock.exists():
            if time.monotonic() > deadline or sandbox.processes[node.name].poll() is not None:
                raise RuntimeError(f"wireguard-go for {node.name} did not come up")
            time.sleep(0.05)
        # wireguard-go opens its UDP port as soon as it starts (whatever the link state),
        # so a peer with a keepalive would start a handshake right here.
        run("ip", "netns", "exec", ns, "wg", "setconf", wg_if, str(quiet))
        run("ip", "-n", ns, "addr", "add", str(node.address), "dev", wg_if)
        run("ip", "-n", ns, "link", "set", wg_if, "mtu", str(rendered_mtu(node)))
        run("ip", "-n", ns, "link", "set", wg_if, "up")
    return full


def handshaken(sandbox: Sandbox, node: str) -> set[str]:
    """Public keys of the peers `node` has completed a handshake with."""
    shown = run("ip", "netns", "exec", sandbox.node_ns[node], "wg", "show",
                sandbox.node_if[node], "latest-handshakes").stdout  # fmt: skip
    return {key for key, when in (line.split() for line in shown.splitlines()) if when != "0"}


def start_handshakes(
    sandbox: Sandbox, nodes: list[RenderedNode], full: dict[str, Path], timeout: float = 12.0
) -> None:
    """Apply every node's full rendered config in turn; each pair handshakes exactly once.

    wireguard-go (unlike the kernel module) does not re-check the handshake state after
    consuming a response, so when both ends of a pair initiate at once it can keep a
    session whose receive index it has already dropped: both ends report a handshake,
    yet one direction is silently blackholed until the 15 s re-handshake. Here only the
    earlier node of a pair ever initiates: the later one is listen-only until the pair's
    session is confirmed on both ends, after which its keepalives ride that session.
    """
    for node in nodes:
        ns, wg_if = sandbox.node_ns[node.name], sandbox.node_if[node.name]
        run("ip", "netns", "exec", ns, "wg", "syncconf", wg_if, str(full[node.name]))
        mates = [n for n in nodes if n.team == node.team and n.name != node.name]
        deadline = time.monotonic() + timeout
        while True:
            waiting = [m.name for m in mates if m.public_key not in handshaken(sandbox, node.name)]
            waiting += [m.name for m in mates if node.public_key not in handshaken(sandbox, m.name)]
            if not waiting:
                break
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{node.name}: no handshake with {sorted(set(waiting))} after {timeout}s"
                )
            time.sleep(0.05)


def pings(
    sandbox: Sandbox, pairs: list[tuple[str, str]], *extra: str
) -> dict[tuple[str, str], bool]:
    """Ping every (source node, target address) pair at once: True where a reply came."""
    procs = {
        pair: subprocess.Popen(
            [
                "ip",
                "netns",
                "exec",
                sandbox.node_ns[pair[0]],
                "ping",
                "-n",
                "-c1",
                "-W2",
                *extra,
                pair[1],
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for pair in pairs
    }
    return {pair: proc.wait(timeout=30) == 0 for pair, proc in procs.items()}


@pytest.fixture
def mesh(tmp_path: Path) -> Iterator[tuple[Sandbox, list[RenderedNode]]]:
    preflight()
    nodes = rendered_wg_confs(tmp_path / "plan")
    sandbox = Sandbox(tag=uuid.uuid4().hex[:4])
    try:
        full = bring_up(sandbox, nodes, tmp_path)
        start_handshakes(sandbox, nodes, full)
        yield sandbox, nodes
    finally:
        sandbox.teardown()


def ip_of(node: RenderedNode) -> str:
    return str(node.address.ip)


def test_team_mesh_answers_every_pair_carries_full_mtu_survives_a_node_loss_and_is_isolated(
    mesh: tuple[Sandbox, list[RenderedNode]],
) -> None:
    sandbox, nodes = mesh
    blue = [n for n in nodes if n.team == "blue"]
    red = [n for n in nodes if n.team == "red"]
    assert len(blue) == 4

    # Every ordered pair of the 4-node team answers over the mesh: 12/12.
    matrix = pings(sandbox, [(a.name, ip_of(b)) for a, b in permutations(blue, 2)])
    assert sum(matrix.values()) == 12, [pair for pair, ok in matrix.items() if not ok]

    # The mesh MTU follows the substrate (GCP's 1460 - 80), and a full-size don't-fragment
    # packet crosses the tunnel and the 1460 underlay: payload + 8 ICMP + 20 IP = MTU.
    src, dst = blue[0], blue[3]
    mtu = rendered_mtu(src)
    assert mtu == UNDERLAY_MTU - 80
    assert pings(sandbox, [(src.name, ip_of(dst))], "-M", "do", "-s", str(mtu - 28)) == {
        (src.name, ip_of(dst)): True
    }
    assert pings(sandbox, [(src.name, ip_of(dst))], "-M", "do", "-s", str(mtu - 27)) == {
        (src.name, ip_of(dst)): False
    }, "the tunnel MTU is larger than rendered"

    # The other team is reachable on the underlay but not through the mesh.
    underlay = pings(sandbox, [(b.name, r.public_ip) for b in blue for r in red])
    assert all(underlay.values()), "test topology broken: underlay does not connect teams"
    across = pings(
        sandbox,
        [(b.name, ip_of(r)) for b in blue for r in red]
        + [(r.name, ip_of(b)) for r in red for b in blue],
    )
    assert not any(across.values()), [pair for pair, ok in across.items() if ok]
    red_matrix = pings(sandbox, [(a.name, ip_of(b)) for a, b in permutations(red, 2)])
    assert all(red_matrix.values()), "the second team's own mesh does not answer"

    # One node goes away: the remaining three still answer each other (6/6).
    sandbox.remove_node(blue[1].name)
    rest = [n for n in blue if n.name != blue[1].name]
    after = pings(sandbox, [(a.name, ip_of(b)) for a, b in permutations(rest, 2)])
    assert sum(after.values()) == 6, [pair for pair, ok in after.items() if not ok]
    gone = pings(sandbox, [(rest[0].name, ip_of(blue[1]))])
    assert not any(gone.values())
