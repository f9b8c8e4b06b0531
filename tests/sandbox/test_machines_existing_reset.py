"""The reset of an existing machine, run where a node's real phases ran: afterwards nothing of
the episode is left on the host but what the reset keeps on purpose, the same phases
bootstrap it again, and a second reset (or one on a fresh host) changes nothing.

The node is the bubblewrap sandbox of tests/cluster_sandbox.py inside a network namespace
of its own (public NIC pub0 with a default route, a listener on port 22 standing for sshd,
the host's own iptables rules with a DROP policy): iptables, ip6tables, ip and tc are the
real ones, so the host firewall (43), the mesh chain and Cilium's chains are real rules; a
probe from a second namespace connects to port 22 all through each reset. Package, unit,
kubeadm, Teleport and Kubernetes API calls are the recorder's (tests/cluster_recorder.sh),
with wrappers below for what only these tests need: kubeadm reset, systemctl stop and
disable, wg-quick bringing a (stand-in) wg0 up and down, a Teleport agent joining.
What Cilium, kubelet and etcd leave on a node that the recorders do not make is laid down
by hand (`_kubelet_leftovers`, `_cilium_leftovers`) where Cilium 1.19 and kubeadm put it.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from components.cluster.host_firewall import CHAIN as FIREWALL_CHAIN
from components.machines.existing import render_reset_script
from components.mesh.phase import CHAIN as MESH_CHAIN
from components.mesh.phase import phase_file_name, render_mesh_phase
from components.nodes import NodeSlot, node_slots
from components.teleport.agent_config import AgentSpec, JoinTarget, render_agent_config
from components.teleport.script_text import render_agent_phase
from components.teleport.version import TeleportVersion
from klustered.team import MESH_PHASE
from tests import cluster_fixtures as fx
from tests.cluster_sandbox import NodeSandbox, mutating
from tests.mesh_fixtures import render_team_configs
from tests.tools import bwrap_missing

pytestmark = pytest.mark.sandbox

NODE_IP = "198.51.100.10"
OUTSIDE_IP = "198.51.100.1"
TEAMMATE_IP = "198.51.100.20"
TOKEN = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
PIN = "sha256:" + "1" * 64
VERSION = TeleportVersion.parse("18.8.2")
DATAPATH = Path(__file__).parent.parent / "cilium_datapath.py"

HOSTS = "127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n203.0.113.9 backup\n"
HOST_RULES = [
    # The host's own firewall, there before klustered: the reset must leave it as it is.
    "iptables -w -A INPUT -i lo -j ACCEPT",
    "iptables -w -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
    "iptables -w -A INPUT -p tcp --dport 22 -j ACCEPT",
    "iptables -w -A INPUT -p icmp -j ACCEPT",
    "iptables -w -P INPUT DROP",
    "ip6tables -w -N HOST-OWN",
    "ip6tables -w -A INPUT -j HOST-OWN",
]

# --- wrappers in front of the recorder -------------------------------------------------

KUBEADM = """#!/usr/bin/env bash
set -euo pipefail
if [ "${1:-}" = reset ]; then
  echo "kubeadm $*" >>/state/calls.log
  if [ -f /state/kubeadm-reset-fails ]; then
    echo "[reset] error: cannot reach the container runtime" >&2
    exit 1
  fi
  # What kubeadm reset does: kubelet stopped, the node's containers removed, directories
  # emptied (kept), kubeconfigs deleted.
  rm -f /state/systemd/kubelet.active /state/pods/*
  for d in /etc/kubernetes/manifests /etc/kubernetes/pki /etc/kubernetes/tmp \
    /var/lib/etcd /var/lib/kubelet; do
    if [ -d "$d" ]; then find "$d" -mindepth 1 -delete; fi
  done
  rm -f /etc/kubernetes/*.conf
  exit 0
fi
exec /stubs/real/kubeadm "$@"
"""
SYSTEMCTL = """#!/usr/bin/env bash
set -euo pipefail
unit="${*: -1}"
case "${1:-}" in
stop)
  echo "systemctl $*" >>/state/calls.log
  if [ -f "/state/stop-fails-$unit" ]; then
    rm -f "/state/stop-fails-$unit"
    echo "Job for $unit.service canceled." >&2
    exit 1
  fi
  rm -f "/state/systemd/$unit.active"
  case "$unit" in wg-quick@*) ip link delete dev "${unit#wg-quick@}" 2>/dev/null || true ;; esac
  exit 0 ;;
disable)
  echo "systemctl $*" >>/state/calls.log
  rm -f "/state/systemd/$unit.enabled"
  exit 0 ;;
start | restart)
  case "$unit" in
  wg-quick@*)
    # A stand-in for the WireGuard interface (no wireguard module here): same name,
    # address and MTU as the config says.
    dev="${unit#wg-quick@}" conf="/etc/wireguard/${unit#wg-quick@}.conf"
    ip link delete dev "$dev" 2>/dev/null || true
    ip link add "$dev" type bridge
    ip addr add "$(awk -F' = ' '$1 == "Address" {print $2}' "$conf")" dev "$dev"
    ip link set "$dev" mtu "$(awk -F' = ' '$1 == "MTU" {print $2}' "$conf")" up ;;
  teleport)
    # The agent joins when it has no identity yet and holds the token the cluster accepts.
    if [ -f /etc/teleport/join-token ] && [ ! -f /var/lib/teleport/identity ] &&
      [ "$(cat /etc/teleport/join-token)" = "$(cat /state/teleport-token)" ]; then
      mkdir -p /var/lib/teleport
      cat /etc/teleport/ca-pins >/var/lib/teleport/identity
    fi ;;
  esac ;;
esac
exec /stubs/real/systemctl "$@"
"""
CURL = """#!/usr/bin/env bash
case "${*: -1}" in
*/readyz)
  echo "curl $*" >>/state/calls.log
  [ -f /state/systemd/teleport.active ] && [ -f /var/lib/teleport/identity ] ;;
*) exec /stubs/real/curl "$@" ;;
esac
"""
CRICTL = """#!/usr/bin/env bash
case "${1:-}" in
pods) echo "crictl $*" >>/state/calls.log; ls /state/pods 2>/dev/null || true ;;
rmp) echo "crictl $*" >>/state/calls.log; rm -f /state/pods/* ;;
*) exec /stubs/real/crictl "$@" ;;
esac
"""
SLOW_TC = """#!/usr/bin/env bash
# Deleting a tc filter takes a while: a map unpinned before this would drop packets meanwhile.
if [ "${1:-} ${2:-}" = "filter delete" ]; then
  echo "tc $*" >>/state/calls.log
  sleep 1
fi
exec /usr/sbin/tc "$@"
"""

LISTEN = r"""
import socket, threading
def serve(port):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port)); s.listen(64)
    while True:
        c, _ = s.accept(); c.sendall(b"SSH-2.0-sandbox\r\n"); c.close()
threading.Thread(target=serve, args=(22,), daemon=True).start()
print("ready", flush=True)
threading.Event().wait()
"""

PROBE = r"""
import os, socket, sys, time
host, stop = sys.argv[1], sys.argv[2]
ok = failed = 0
print("started", flush=True)
while True:
    done = os.path.exists(stop)
    s = socket.socket(); s.settimeout(0.3)
    try:
        s.connect((host, 22)); good = s.recv(7) == b"SSH-2.0"
    except OSError:
        good = False
    s.close()
    ok, failed = ok + good, failed + (not good)
    if done:
        break
    time.sleep(0.02)
print(ok, failed, flush=True)
"""


def _missing() -> str | None:
    if os.geteuid() != 0:
        return "needs root for ip netns"
    for tool in ("ip", "iptables", "ip6tables", "iptables-restore", "tc", "findmnt"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (Debian iproute2, iptables, util-linux)"
    return bwrap_missing()


@dataclass
class Host:
    """A node: its sandboxed filesystem in its own network namespace, and a namespace outside."""

    box: NodeSandbox
    node_ns: str
    outside_ns: str
    work: Path

    def run(self, script: str) -> subprocess.CompletedProcess[str]:
        """`script` on stdin, as root of the node (bash -s), as pulumi-command runs it."""
        return self.box.run(script, netns=self.node_ns, timeout=120)

    def ns(self, *args: str, ns: str = "") -> str:
        """A command in the node's namespace (or `ns`), outside the sandbox; its stdout."""
        done = subprocess.run(
            ["ip", "netns", "exec", ns or self.node_ns, *args],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, f"{args}: {done.stderr}"
        return done.stdout

    def network(self) -> dict[str, list[str]]:
        """Every table's rules (IPv4, IPv6), the interfaces, the policy-routing rules."""
        state: dict[str, list[str]] = {}
        for tool in ("iptables", "ip6tables"):
            for table in ("filter", "nat", "mangle", "raw"):
                state[f"{tool} -t {table}"] = self.ns(tool, "-w", "-t", table, "-S").splitlines()
        state["links"] = sorted(
            line.split(": ")[1].split("@")[0] for line in self.ns("ip", "-o", "link").splitlines()
        )
        for family in ("-4", "-6"):
            state[f"ip {family} rule"] = self.ns("ip", family, "rule").splitlines()
        return state

    def reset(self, *, succeeds: bool = True) -> subprocess.CompletedProcess[str]:
        """The rendered reset, with a probe connecting to port 22 from outside all along."""
        stop = self.work / f"probe-stop-{uuid.uuid4().hex[:6]}"
        outside = ["ip", "netns", "exec", self.outside_ns]
        probe = subprocess.Popen(
            [*outside, sys.executable, "-c", PROBE, NODE_IP, str(stop)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert probe.stdout is not None
            assert probe.stdout.readline().strip() == "started"
            done = self.run(render_reset_script())
        finally:
            stop.touch()
            out, err = probe.communicate(timeout=30)
        ok, failed = (int(n) for n in out.split())
        assert ok + failed > 0, err
        assert failed == 0, f"port 22 did not answer {failed} of {ok + failed} probes"
        assert (done.returncode == 0) == succeeds, done.stderr
        return done


@pytest.fixture
def host(tmp_path: Path) -> Iterator[Host]:
    reason = _missing()
    if reason:
        pytest.skip(reason)
    suffix = uuid.uuid4().hex[:6]
    node_ns, outside_ns = f"k8rsn{suffix}", f"k8rso{suffix}"
    created: list[str] = []
    procs: list[subprocess.Popen[str]] = []
    try:
        for ns in (node_ns, outside_ns):
            added = subprocess.run(["ip", "netns", "add", ns], capture_output=True, check=False)
            if added.returncode:
                pytest.skip("cannot create a network namespace here")
            created.append(ns)
        near, far = f"k8rp{suffix}", f"k8rq{suffix}"
        node, outside = ["ip", "netns", "exec", node_ns], ["ip", "netns", "exec", outside_ns]
        for args in (
            ["ip", "link", "add", near, "type", "veth", "peer", "name", far],
            ["ip", "link", "set", near, "netns", node_ns],
            ["ip", "link", "set", far, "netns", outside_ns],
            [*node, "ip", "link", "set", near, "name", "pub0"],
            [*node, "ip", "addr", "add", f"{NODE_IP}/24", "dev", "pub0"],
            [*node, "ip", "link", "set", "pub0", "up"],
            [*node, "ip", "link", "set", "lo", "up"],
            [*node, "ip", "route", "add", "default", "via", OUTSIDE_IP],
            [*outside, "ip", "addr", "add", f"{OUTSIDE_IP}/24", "dev", far],
            [*outside, "ip", "link", "set", far, "up"],
            *([*node, *shlex.split(rule)] for rule in HOST_RULES),
        ):
            subprocess.run(args, check=True, capture_output=True)
        sshd = subprocess.Popen(
            [*node, sys.executable, "-c", LISTEN],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        procs.append(sshd)
        assert sshd.stdout is not None
        assert sshd.stdout.readline().strip() == "ready"
        box = _node_box(tmp_path / "node")
        yield Host(box, node_ns, outside_ns, tmp_path)
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
            proc.communicate(timeout=10)
        for ns in created:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, check=False)


def _node_box(base: Path) -> NodeSandbox:
    """A fresh Ubuntu-like node with the directories such a host already has."""
    box = NodeSandbox.create(base, nodes=fx.expected_nodes(1, 1))
    stubs = box.stubs
    (stubs / "real").mkdir()
    for name, text in (
        ("kubeadm", KUBEADM),
        ("systemctl", SYSTEMCTL),
        ("curl", CURL),
        ("crictl", CRICTL),
    ):
        (stubs / "real" / name).symlink_to("../recorder")
        (stubs / name).unlink()
        (stubs / name).write_text(text)
        (stubs / name).chmod(0o755)
    root = box.root
    for sub in (
        "etc/apt/sources.list.d",
        "etc/apt/keyrings",
        "etc/systemd/system",
        "etc/sysctl.d",
        "etc/modules-load.d",
        "etc/cni/net.d",
        "opt/cni/bin",
        "var/log",
        "usr-local/bin",
    ):
        (root / sub).mkdir(parents=True, exist_ok=True)
    (root / "etc" / "hosts").write_text(HOSTS)
    (root / "etc" / "os-release").write_text("ID=ubuntu\nVERSION_CODENAME=noble\n")
    # The host's own CNI config and plugin (the kubernetes-cni package's): Cilium sets the
    # config aside as *.cilium_bak; the reset must bring it back.
    (root / "etc" / "cni" / "net.d" / "10-host-bridge.conflist").write_text('{"name": "host"}\n')
    (root / "opt" / "cni" / "bin" / "loopback").write_text("plugin\n")
    (box.state / "fixtures" / "gpg").write_text("-----BEGIN PGP PUBLIC KEY BLOCK-----\n")
    (box.state / "teleport-token").write_text(TOKEN + "\n")
    (box.state / "pods").mkdir()
    (box.state / "systemd").mkdir()
    return box


# --- the node's phases, as the stack renders them ---------------------------------------


def _slot(role: str) -> tuple[NodeSlot, int]:
    slots = node_slots("blue", 1, 1)
    return (slots[0], 1) if role == "control-plane-1" else (slots[1], 2)


def node_phases(role: str, *, agent_token: str = TOKEN) -> list[tuple[str, str]]:
    """Every bootstrap phase of the node in run order, as the team numbers them: 10,
    15-teleport-agent, 20..40, 42-mesh, 43..80."""
    slot, number = _slot(role)
    files = fx.render_node_files(
        fx.cluster(),
        slot,
        fx.node(slot, number),
        fx.secrets(),
        fx.cilium(),
        **fx.cluster_options(1, 1),
    )
    target = JoinTarget.for_server("203.0.113.7", acme=False)
    config = render_agent_config(AgentSpec(slot.name, target, {"team": "blue"}))
    agent = render_agent_phase(
        node=slot.name, version=VERSION, config=config, join_output=f"{agent_token}\n{PIN}\n"
    ).replace("export READY_TIMEOUT=300", "export READY_TIMEOUT=4")
    ips = {"blue-control-plane-1": NODE_IP, "blue-worker-1": TEAMMATE_IP}
    mesh_node = {n.name: n for n in render_team_configs("10.254.0.0/24", [("blue", 1, 1)], ips)}
    rendered = mesh_node[slot.name]
    mesh = render_mesh_phase(
        node=slot.name, config=rendered.config, address=rendered.address, mtu=1420, port=51820
    )
    scripts = {name: text for name, text in files.items() if name.endswith(".sh")}
    scripts["15-teleport-agent.sh"] = agent
    scripts[phase_file_name(MESH_PHASE)] = mesh
    return sorted(scripts.items())


def bootstrap(host: Host, phases: list[tuple[str, str]]) -> None:
    for name, text in phases:
        done = host.run(text)
        assert done.returncode == 0, f"{name}:\n{done.stderr}"


def _kubelet_leftovers(host: Host, role: str) -> None:
    """What kubeadm, kubelet and etcd write on a node that the recorders do not."""
    root = host.box.root
    kubelet = root / "var" / "lib" / "kubelet"
    (kubelet / "pods" / "7f3c" / "volumes").mkdir(parents=True, exist_ok=True)
    (kubelet / "config.yaml").write_text("kind: KubeletConfiguration\n")
    (kubelet / "kubeadm-flags.env").write_text("KUBELET_KUBEADM_ARGS=\n")
    if role == "control-plane-1":
        (root / "var" / "lib" / "etcd" / "member" / "snap").mkdir(parents=True, exist_ok=True)
        (root / "var" / "lib" / "etcd" / "member" / "snap" / "db").write_text("etcd\n")
    for pod in ("cilium-x7k2p", "coredns-5d78c"):
        (host.box.state / "pods" / pod).touch()


def _cilium_leftovers(host: Host) -> None:
    """What Cilium's agent leaves on a node (files, interfaces, rules, chains)."""
    root = host.box.root
    net_d = root / "etc" / "cni" / "net.d"
    (net_d / "10-host-bridge.conflist").rename(net_d / "10-host-bridge.conflist.cilium_bak")
    (net_d / "05-cilium.conflist").write_text('{"name": "cilium"}\n')
    (root / "opt" / "cni" / "bin" / "cilium-cni").write_text("cilium-cni\n")
    (root / "run" / "cilium" / "state" / "globals").mkdir(parents=True)
    (root / "run" / "cilium" / "state" / "globals" / "node_config.h").write_text("#define X\n")
    (root / "var" / "lib" / "cilium" / "bpf").mkdir(parents=True)
    # Cilium's interfaces, policy-routing rules and iptables chains (pkg/datapath/iptables:
    # a custom chain per table and hook, fed by a commented jump; IPv6 where Cilium has one).
    commands = [
        "ip link add cilium_host type veth peer name cilium_net",
        "ip link add cilium_vxlan type vxlan external dstport 8472",
        "ip link add lxc_health type veth peer name lxc0a1b2",
        "ip rule add fwmark 0x200/0xf00 lookup 2004 pref 9",
        "ip rule add fwmark 0xa00/0xf00 lookup 2005 pref 10",
        "ip -6 rule add fwmark 0x200/0xf00 lookup 2004 pref 9",
    ]
    chains = [
        ("filter", "INPUT", "CILIUM_INPUT", True),
        ("filter", "OUTPUT", "CILIUM_OUTPUT", True),
        ("filter", "FORWARD", "CILIUM_FORWARD", True),
        ("raw", "OUTPUT", "CILIUM_OUTPUT_raw", True),
        ("raw", "PREROUTING", "CILIUM_PRE_raw", True),
        ("nat", "POSTROUTING", "CILIUM_POST_nat", True),
        ("nat", "OUTPUT", "CILIUM_OUTPUT_nat", False),
        ("nat", "PREROUTING", "CILIUM_PRE_nat", False),
        ("mangle", "POSTROUTING", "CILIUM_POST_mangle", False),
        ("mangle", "PREROUTING", "CILIUM_PRE_mangle", True),
    ]
    for table, hook, chain, ipv6 in chains:
        for tool in ("iptables", "ip6tables") if ipv6 else ("iptables",):
            commands += [
                f"{tool} -w -t {table} -N {chain}",
                f"{tool} -w -t {table} -A {chain} -m mark --mark 0x200/0xf00"
                " -m comment --comment 'cilium: proxy' -j ACCEPT",
                f"{tool} -w -t {table} -I {hook} -m comment --comment"
                f" 'cilium-feeder: {chain}' -j {chain}",
            ]
    commands += [
        "iptables -w -t nat -A CILIUM_POST_nat -s 10.244.0.0/16 ! -d 10.244.0.0/16"
        " ! -o cilium_+ -j MASQUERADE",
        # A chain an upgrade renamed and never removed, jumping to a current one.
        "iptables -w -N OLD_CILIUM_FORWARD",
        "iptables -w -A OLD_CILIUM_FORWARD -j CILIUM_FORWARD",
    ]
    for command in commands:
        host.ns(*shlex.split(command))


# What the bootstrap adds that the reset keeps on purpose (paths under the node's tree).
KEPT = {
    # Packages and their apt sources and keys: a later bootstrap reuses or replaces them.
    "etc/apt/keyrings/kubernetes-apt-keyring.gpg",
    "etc/apt/keyrings/teleport-archive-keyring.asc",
    "etc/apt/sources.list.d/kubernetes.list",
    "etc/apt/sources.list.d/teleport.list",
    # containerd stays configured (and keeps its images); crictl points at it.
    "etc/containerd",
    "etc/containerd/config.toml",
    "etc/crictl.yaml",
    # Phase 10: kernel modules and sysctls kubelet needs (swap stays off, the name stays).
    "etc/modules-load.d/klustered-k8s.conf",
    "etc/sysctl.d/99-klustered-k8s.conf",
    "sys-module/br_netfilter",
    "sys-module/overlay",
    # Emptied and kept, as kubeadm reset does (the kubelet package owns manifests/).
    "etc/kubernetes",
    "etc/kubernetes/manifests",
    "var/lib/kubelet",
    # wireguard-tools' directory (the mesh's config in it is gone).
    "etc/wireguard",
}
KEPT_ON_CONTROL_PLANE_1 = {"etc/kubernetes/pki", "var/lib/etcd", "usr-local/bin/helm"}


def _tree(box: NodeSandbox) -> set[str]:
    return {
        str(Path(dirpath, name).relative_to(box.root))
        for dirpath, dirnames, filenames in os.walk(box.root)
        for name in dirnames + filenames
    }


def _units(box: NodeSandbox, kind: str) -> set[str]:
    return {p.name.removesuffix(f".{kind}") for p in (box.state / "systemd").glob(f"*.{kind}")}


def _secrets() -> list[str]:
    pki = fx.secrets().pki
    return [TOKEN, fx.TOKEN, "PRIVATE KEY", pki.ca_key.splitlines()[1], "PrivateKey"]


@pytest.mark.parametrize("role", ["control-plane-1", "worker-1"])
def test_reset_undoes_the_bootstrap_and_the_phases_bootstrap_the_host_again(
    host: Host, role: str
) -> None:
    box, root = host.box, host.box.root
    fresh_tree, fresh_network = _tree(box), host.network()
    phases = node_phases(role)
    bootstrap(host, phases)
    _kubelet_leftovers(host, role)
    _cilium_leftovers(host)

    # The bootstrap really put everything there.
    etc = root / "etc"
    assert "# klustered api endpoint" in (etc / "hosts").read_text()
    kubeconfig = "admin.conf" if role == "control-plane-1" else "kubelet.conf"
    assert (etc / "kubernetes" / kubeconfig).exists()
    running = _units(box, "active")
    assert {"kubelet", "haproxy", "teleport", "wg-quick@wg0", "containerd"} <= running
    assert (root / "var" / "lib" / "teleport" / "identity").exists()
    assert (root / "var" / "lib" / "klustered" / "kubeadm.done").exists()
    assert list((root / "var" / "log" / "klustered").iterdir())
    rules = host.network()
    assert f"-A INPUT -i pub0 -j {FIREWALL_CHAIN}" in rules["iptables -t filter"]
    assert f"-A INPUT -i pub0 -j {FIREWALL_CHAIN}" in rules["ip6tables -t filter"]
    assert f"-A INPUT -j {MESH_CHAIN}" in rules["iptables -t filter"]
    assert {"wg0", "cilium_host", "cilium_vxlan"} <= set(rules["links"])

    box.reset_calls()
    done = host.reset()
    calls = box.calls()
    assert "kubeadm reset -f --cleanup-tmp-dir" in calls
    for secret in _secrets():
        assert secret not in done.stdout + done.stderr

    # Kubernetes: kubeadm's state gone, kubelet stopped and disabled, pods removed.
    assert not list((etc / "kubernetes").glob("*.conf"))
    assert not list((etc / "kubernetes" / "manifests").iterdir())
    assert not list((root / "var" / "lib" / "kubelet").iterdir())
    assert not list((box.state / "pods").iterdir())
    # Every unit the phases started is stopped and disabled, but containerd.
    assert _units(box, "active") == {"containerd"}
    assert _units(box, "enabled") == {"containerd"}
    # The endpoint line is gone and the host's own lines are as they were.
    assert (etc / "hosts").read_text() == HOSTS
    # Firewall (43), mesh and Cilium chains, jumps, interfaces and rules: the network is
    # exactly as before the bootstrap (the host's own rules and DROP policy included).
    assert host.network() == fresh_network
    # The Teleport agent has no identity, config, token or unit left; the package stays.
    assert "systemctl daemon-reload" in calls
    assert (box.state / "dpkg" / "teleport").exists()
    # haproxy is stopped and disabled with its config gone; the package stays.
    assert (box.state / "dpkg" / "haproxy").exists()
    # Cilium set the host's CNI config aside; it is back, with its content.
    restored = etc / "cni" / "net.d" / "10-host-bridge.conflist"
    assert restored.read_text() == '{"name": "host"}\n'
    # Nothing else the bootstrap added is left but what the reset keeps on purpose
    # (stamps, logs, secrets on /run, the mesh config, Teleport's files, Cilium's files...).
    kept = KEPT | (KEPT_ON_CONTROL_PLANE_1 if role == "control-plane-1" else set())
    assert _tree(box) - fresh_tree == kept

    # The machine can serve a new cluster: the same phases bootstrap it again.
    box.reset_calls()
    bootstrap(host, phases)
    verb = "init" if role == "control-plane-1" else "join"
    assert any(c.startswith(f"kubeadm {verb} --config") for c in box.calls())
    assert "systemctl restart teleport" in box.calls()
    assert (root / "var" / "lib" / "teleport" / "identity").exists()
    assert f"-A INPUT -i pub0 -j {FIREWALL_CHAIN}" in host.network()["iptables -t filter"]

    # Reset, then reset again: the second changes nothing.
    host.reset()
    assert host.network() == fresh_network
    box.reset_calls()
    before = box.snapshot()
    host.reset()
    assert mutating(box.calls()) == []
    assert box.snapshot() == before
    assert host.network() == fresh_network


def test_reset_on_a_fresh_host_changes_nothing(host: Host) -> None:
    before, network = host.box.snapshot(), host.network()
    for _ in range(2):
        done = host.reset()
        assert "reset done" in done.stderr
        assert host.box.snapshot() == before
        assert host.network() == network
    calls = host.box.calls()
    assert mutating(calls) == []
    assert not [c for c in calls if c.startswith("crictl rmp")]


def test_reset_finishes_a_bootstrap_that_failed_halfway(host: Host) -> None:
    # The agent's token was refused (it never joined), then kubeadm join failed twice:
    # the node has a Teleport package, config and token but no identity, a half-joined
    # kubelet, an attempt stamp and a phase's secret leftovers under /run/klustered.
    box, root = host.box, host.box.root
    fresh_tree, fresh_network = _tree(box), host.network()
    phases = dict(node_phases("worker-1", agent_token="e" * 32))
    assert host.run(phases["10-os-prep.sh"]).returncode == 0
    agent = host.run(phases["15-teleport-agent.sh"])
    assert agent.returncode != 0 and "did not join" in agent.stderr
    for name in ("20-containerd.sh", "30-kubernetes-packages.sh", "42-mesh.sh", "43-firewall.sh"):
        assert host.run(phases[name]).returncode == 0, name
    for name in ("44-api-lb.sh", "45-api-endpoint.sh"):
        assert host.run(phases[name]).returncode == 0, name
    (box.state / "kubeadm-fail-join").write_text("2\n")
    join = host.run(phases["50-kubeadm-join.sh"])
    assert join.returncode != 0
    _kubelet_leftovers(host, "worker-1")
    (root / "run" / "klustered").mkdir(mode=0o700, exist_ok=True)
    (root / "run" / "klustered" / "kubeadm-join.Ab12Cd").write_text(f"token: {fx.TOKEN}\n")
    assert (root / "etc" / "kubernetes" / "kubelet.conf").exists()
    assert (root / "etc" / "teleport" / "join-token").exists()
    assert not (root / "var" / "lib" / "teleport" / "identity").exists()

    box.reset_calls()
    done = host.reset()
    for secret in _secrets():
        assert secret not in done.stdout + done.stderr
    assert _units(box, "active") == _units(box, "enabled") == {"containerd"}
    assert (root / "etc" / "hosts").read_text() == HOSTS
    assert host.network() == fresh_network
    assert _tree(box) - fresh_tree == KEPT

    # The same phases, with a token the cluster accepts, now bootstrap the node.
    box.reset_calls()
    bootstrap(host, node_phases("worker-1"))
    assert any(c.startswith("kubeadm join --config") for c in box.calls())


def test_a_part_that_fails_is_named_the_others_run_and_a_second_reset_finishes(
    host: Host,
) -> None:
    box, root = host.box, host.box.root
    fresh_tree, fresh_network = _tree(box), host.network()
    bootstrap(host, node_phases("worker-1"))
    _kubelet_leftovers(host, "worker-1")
    (box.state / "stop-fails-teleport").touch()
    failed = host.reset(succeeds=False)
    assert "reset incomplete (reset_teleport): run it again" in failed.stderr
    # Everything but the agent is already reset; the agent still has its identity.
    assert host.network() == fresh_network
    assert (root / "etc" / "hosts").read_text() == HOSTS
    assert (root / "var" / "lib" / "teleport" / "identity").exists()
    assert not (root / "var" / "lib" / "klustered").exists()
    host.reset()
    assert _units(box, "active") == _units(box, "enabled") == {"containerd"}
    assert _tree(box) - fresh_tree == KEPT


def test_a_node_whose_agent_never_installed_resets_without_touching_teleport(
    host: Host,
) -> None:
    box = host.box
    fresh_tree = _tree(box)
    phases = [(n, t) for n, t in node_phases("worker-1") if n != "15-teleport-agent.sh"]
    bootstrap(host, phases)
    _kubelet_leftovers(host, "worker-1")
    box.reset_calls()
    host.reset()
    assert not [c for c in box.calls() if "teleport" in c]
    assert _tree(box) - fresh_tree == KEPT - {
        "etc/apt/keyrings/teleport-archive-keyring.asc",
        "etc/apt/sources.list.d/teleport.list",
    }


def test_a_failed_kubeadm_reset_is_finished_by_hand(host: Host) -> None:
    box, root = host.box, host.box.root
    bootstrap(host, node_phases("control-plane-1"))
    _kubelet_leftovers(host, "control-plane-1")
    _cilium_leftovers(host)
    (box.state / "kubeadm-reset-fails").touch()
    box.reset_calls()
    done = host.reset()
    assert "kubeadm reset failed" in done.stderr
    calls = box.calls()
    assert "systemctl stop kubelet" in calls
    assert "crictl rmp -f -a" in calls
    assert not list((box.state / "pods").iterdir())
    kubernetes = root / "etc" / "kubernetes"
    assert not list(kubernetes.glob("*.conf"))
    for emptied in (kubernetes / "manifests", kubernetes / "pki", root / "var" / "lib" / "etcd"):
        assert not list(emptied.iterdir()), emptied
    assert not list((root / "var" / "lib" / "kubelet").iterdir())
    # The next init passes kubeadm's preflight (no kubelet.conf, no manifests).
    box.reset_calls()
    bootstrap(host, node_phases("control-plane-1"))
    assert any(c.startswith("kubeadm init --config") for c in box.calls())


def test_a_hosts_own_haproxy_wireguard_and_teleport_are_left_alone(host: Host) -> None:
    box, root = host.box, host.box.root
    own = {
        root / "etc" / "haproxy" / "haproxy.cfg": "global\n    maxconn 100\n",
        root / "etc" / "wireguard" / "wg0.conf": "[Interface]\nAddress = 10.9.0.1/24\n",
        root / "etc" / "teleport.yaml": "version: v3\nteleport:\n  nodename: mine\n",
        root / "var" / "lib" / "teleport" / "host_uuid": "6a1f\n",
    }
    for path, text in own.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for unit in ("haproxy", "wg-quick@wg0", "teleport"):
        (box.state / "systemd" / f"{unit}.enabled").touch()
        (box.state / "systemd" / f"{unit}.active").touch()
    before = box.snapshot()
    box.reset_calls()
    host.reset()
    assert mutating(box.calls()) == []
    assert box.snapshot() == before


@pytest.fixture
def bpffs(tmp_path: Path) -> Iterator[Path]:
    """A bpffs of the test's own (bound over the node's /sys/fs/bpf), unmounted afterwards."""
    path = tmp_path / "bpffs"
    path.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "bpf", "bpf", str(path)], capture_output=True, text=True, check=False
    )
    if mounted.returncode:
        pytest.skip(f"cannot mount a bpffs here: {mounted.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


def _attach_datapath(host: Host, bpffs: Path) -> None:
    attach = [sys.executable, str(DATAPATH), "attach", str(bpffs), "pub0"]
    done = subprocess.run(
        ["ip", "netns", "exec", host.node_ns, *attach], capture_output=True, text=True, check=False
    )
    if done.returncode and "bpf(" in done.stderr:
        pytest.skip(f"cannot load BPF programs here: {done.stderr.strip().splitlines()[-1]}")
    assert done.returncode == 0, done.stderr


def _port_22_answers(host: Host) -> bool:
    probe = "import socket; s = socket.create_connection((%r, 22), timeout=1); print(s.recv(7))"
    done = subprocess.run(
        ["ip", "netns", "exec", host.outside_ns, sys.executable, "-c", probe % NODE_IP],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode == 0


def test_cilium_programs_leave_the_public_interface_before_their_maps(
    host: Host, bpffs: Path
) -> None:
    box = host.box
    box.binds = ((str(bpffs), "/sys/fs/bpf"),)
    (box.stubs / "tc").write_text(SLOW_TC)
    (box.stubs / "tc").chmod(0o755)
    (box.root / "etc" / "cni" / "net.d" / "05-cilium.conflist").write_text("{}\n")

    # The model is faithful: with the programs attached, unpinning the map Cilium's entry
    # program tail-calls into cuts the host off (port 22 included).
    _attach_datapath(host, bpffs)
    assert _port_22_answers(host)
    for pinned in (bpffs / "tc" / "globals").iterdir():
        pinned.unlink()
    time.sleep(0.2)
    assert not _port_22_answers(host)
    host.ns("tc", "filter", "delete", "dev", "pub0", "ingress", "pref", "1")
    shutil.rmtree(bpffs / "cilium")
    assert _port_22_answers(host)

    # Attached again; the reset detaches (tcx link pin, then the slow tc filter delete)
    # before it unpins the map, and port 22 answers every probe throughout.
    _attach_datapath(host, bpffs)
    assert host.ns(sys.executable, str(DATAPATH), "tcx", "pub0").strip() == "1"
    box.reset_calls()
    host.reset()
    assert "tc filter delete dev pub0 ingress pref 1 handle 0x1 bpf" in box.calls()
    assert host.ns("tc", "filter", "show", "dev", "pub0", "ingress") == ""
    assert host.ns(sys.executable, str(DATAPATH), "tcx", "pub0").strip() == "0"
    assert sorted(p.name for p in bpffs.iterdir() if not p.name.endswith(".debug")) == ["tc"]
    assert list((bpffs / "tc" / "globals").iterdir()) == []
    assert not (box.root / "etc" / "cni" / "net.d" / "05-cilium.conflist").exists()
    assert _port_22_answers(host)
