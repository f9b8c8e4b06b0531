"""The reset of an existing machine, run on a sandboxed node the real phases bootstrapped:
afterwards the same phases bootstrap it again (init runs anew), and a second reset is a no-op.

The node is the bubblewrap sandbox of tests/cluster_sandbox.py; kubeadm reset, systemctl
stop/disable, ip and iptables are recorder stubs that keep just enough state.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from components.machines.existing import HOSTS_MARKER, STATE_DIR, render_reset_script
from components.shell import load_script
from tests import cluster_fixtures as fx
from tests.cluster_sandbox import NodeSandbox
from tests.tools import bwrap_missing

_REASON = bwrap_missing()
pytestmark = [pytest.mark.sandbox, pytest.mark.skipif(_REASON is not None, reason=_REASON or "")]

# Wrappers in front of the recorder for what only the reset does; the rest goes through.
KUBEADM = """#!/usr/bin/env bash
set -euo pipefail
if [ "${1:-}" = reset ]; then
  echo "kubeadm $*" >>/state/calls.log
  rm -rf /etc/kubernetes/manifests /etc/kubernetes/pki /var/lib/etcd /var/lib/kubelet
  rm -f /etc/kubernetes/*.conf
  exit 0
fi
exec /stubs/real/kubeadm "$@"
"""
SYSTEMCTL = """#!/usr/bin/env bash
set -euo pipefail
case "${1:-}" in
stop) echo "systemctl $*" >>/state/calls.log; rm -f "/state/systemd/${*: -1}.active" ;;
disable) echo "systemctl $*" >>/state/calls.log; rm -f "/state/systemd/${*: -1}.enabled" ;;
*) exec /stubs/real/systemctl "$@" ;;
esac
"""
IP = """#!/usr/bin/env bash
echo "ip $*" >>/state/calls.log
case "$*" in
"link show "*) [ -f "/state/links/$3" ] ;;
"link delete "*) rm -f "/state/links/$3" ;;
*) exit 1 ;;
esac
"""
IPTABLES = """#!/usr/bin/env bash
echo "$(basename "$0") $*" >>/state/calls.log
d="/state/$(basename "$0")"
mkdir -p "$d"
case "$*" in
"-w -D INPUT -j "*) [ -f "$d/jump-$5" ] && rm -f "$d/jump-$5" ;;
"-w -n -L "*) [ -f "$d/chain-$4" ] ;;
"-w -F "*) true ;;
"-w -X "*) rm -f "$d/chain-$3" ;;
*) exit 1 ;;
esac
"""


@pytest.fixture
def box(tmp_path: Path) -> Iterator[NodeSandbox]:
    node = NodeSandbox.create(tmp_path / "node", nodes=fx.expected_nodes(1, 0))
    stubs = node.stubs
    (stubs / "real").mkdir()
    for name, text in (("kubeadm", KUBEADM), ("systemctl", SYSTEMCTL)):
        (stubs / "real" / name).symlink_to("../recorder")
        (stubs / name).unlink()
        (stubs / name).write_text(text)
        (stubs / name).chmod(0o755)
    for name, text in (("ip", IP), ("iptables", IPTABLES), ("ip6tables", IPTABLES)):
        (stubs / name).write_text(text)
        (stubs / name).chmod(0o755)
    yield node


def _bootstrap(box: NodeSandbox) -> None:
    slot = fx.slots()[0]
    files = fx.render_node_files(
        fx.cluster("1.34"),
        slot,
        fx.node(slot, 1),
        fx.secrets(),
        fx.cilium(),
        **fx.cluster_options(1, 0),
    )
    # 43-firewall needs a network namespace: tests/sandbox/test_cluster_firewall.py.
    for name, text in files.items():
        if name.endswith(".sh") and name[:2] <= "60" and name != "43-firewall.sh":
            done = box.run(text)
            assert done.returncode == 0, f"{name}:\n{done.stderr}"


def _mesh_and_cilium_leftovers(box: NodeSandbox) -> None:
    """What the mesh phase and Cilium leave that the recorder does not simulate."""
    (box.root / "etc" / "wireguard").mkdir(parents=True, exist_ok=True)
    (box.root / "etc" / "wireguard" / "wg0.conf").write_text("[Interface]\n")
    (box.root / "etc" / "cni" / "net.d").mkdir(parents=True, exist_ok=True)
    (box.root / "etc" / "cni" / "net.d" / "05-cilium.conflist").write_text("{}\n")
    for unit in ("wg-quick@wg0", "kubelet"):
        (box.state / "systemd" / f"{unit}.enabled").touch()
        (box.state / "systemd" / f"{unit}.active").touch()
    (box.state / "links").mkdir(exist_ok=True)
    (box.state / "links" / "cilium_host").touch()
    for family in ("iptables", "ip6tables"):
        (box.state / family).mkdir(exist_ok=True)
        (box.state / family / "jump-KLUSTERED-MESH").touch()
        (box.state / family / "chain-KLUSTERED-MESH").touch()


def test_reset_leaves_a_host_the_phases_bootstrap_again(box: NodeSandbox) -> None:
    _bootstrap(box)
    _mesh_and_cilium_leftovers(box)
    etc = box.root / "etc"
    assert (etc / "kubernetes" / "admin.conf").exists()
    assert HOSTS_MARKER in (etc / "hosts").read_text()
    assert (box.root / STATE_DIR.removeprefix("/")).exists()

    box.reset_calls()
    done = box.run(render_reset_script())
    assert done.returncode == 0, done.stderr
    assert "kubeadm reset -f" in box.calls()
    assert not (etc / "kubernetes" / "admin.conf").exists()
    assert not (etc / "kubernetes" / "kubelet.conf").exists()
    assert not (etc / "wireguard" / "wg0.conf").exists()
    assert not (etc / "cni" / "net.d" / "05-cilium.conflist").exists()
    assert HOSTS_MARKER not in (etc / "hosts").read_text()
    assert not (box.root / STATE_DIR.removeprefix("/")).exists()
    systemd = sorted(p.name for p in (box.state / "systemd").iterdir())
    assert not any(p.startswith(("kubelet", "wg-quick@wg0")) for p in systemd), systemd
    for family in ("iptables", "ip6tables"):
        assert list((box.state / family).iterdir()) == []
    assert not (box.state / "links" / "cilium_host").exists()
    assert "secret" not in done.stdout + done.stderr.lower()

    # The machine can serve a new cluster: the same phases initialise it again.
    box.reset_calls()
    _bootstrap(box)
    assert any(c.startswith("kubeadm init") for c in box.calls())
    assert (etc / "kubernetes" / "admin.conf").exists()


def test_reset_twice_and_on_a_fresh_host_is_a_no_op(box: NodeSandbox) -> None:
    for _ in range(2):
        done = box.run(render_reset_script())
        assert done.returncode == 0, done.stderr
    before = box.snapshot()
    done = box.run(render_reset_script())
    assert done.returncode == 0, done.stderr
    assert box.snapshot() == before


def test_reset_removes_what_the_phases_name(box: NodeSandbox) -> None:
    # The marker and the stamp directory are the ones the cluster's scripts really use.
    assert HOSTS_MARKER in load_script("components.cluster.scripts", "45-api-endpoint.sh")
    assert f"{STATE_DIR}/" in load_script("components.cluster.scripts", "60-cilium.sh")
