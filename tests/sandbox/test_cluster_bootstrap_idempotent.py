"""Every bootstrap phase, run twice on a sandboxed node: the second run is a no-op.

The real rendered scripts run inside bubblewrap with recorder stubs for system commands
(see tests/cluster_sandbox.py). After run 1 the node is bootstrapped; run 2 must change no
file and call nothing that mutates.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import cluster_fixtures as fx
from tests.cluster_sandbox import NodeSandbox, mutating
from tests.tools import bwrap_missing

_REASON = bwrap_missing()
pytestmark = [pytest.mark.sandbox, pytest.mark.skipif(_REASON is not None, reason=_REASON or "")]


def phases(index: int, version: str) -> list[tuple[str, str]]:
    slot = fx.slots()[index]
    files = fx.render_node_files(
        fx.cluster(version),
        slot,
        fx.node(slot, index + 1),
        fx.secrets(),
        fx.cilium(),
        **fx.cluster_options(),
    )
    # 43-firewall needs a network namespace: tests/sandbox/test_cluster_firewall.py.
    return [
        (name, text)
        for name, text in files.items()
        if name.endswith(".sh") and name != "43-firewall.sh"
    ]


@pytest.fixture
def box(tmp_path: Path) -> Iterator[NodeSandbox]:
    # Everything lives under tmp_path; bwrap dies with its parent (--die-with-parent) and
    # each phase is a child process waited for, so nothing outlives the test.
    yield NodeSandbox.create(tmp_path / "node", nodes=fx.expected_nodes())


def run_all(box: NodeSandbox, scripts: list[tuple[str, str]]) -> dict[str, str]:
    outputs = {}
    for name, text in scripts:
        result = box.run(text)
        assert result.returncode == 0, f"{name} failed:\n{result.stderr}"
        outputs[name] = result.stdout
    return outputs


CASES = {
    "control-plane-1-minor": (0, "1.34"),
    "control-plane-1-exact": (0, "1.34.2"),
    "control-plane-2": (1, "1.34"),
    "worker-1": (3, "1.34"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_second_run_changes_nothing(box: NodeSandbox, case: str) -> None:
    index, version = CASES[case]
    scripts = phases(index, version)

    run_all(box, scripts)
    first_calls = box.calls()
    after_first = box.snapshot()
    assert mutating(first_calls), "run 1 should have done the bootstrap work"

    box.reset_calls()
    run_all(box, scripts)
    assert mutating(box.calls()) == []
    assert box.snapshot() == after_first


def test_first_control_plane_is_bootstrapped_by_run_one(box: NodeSandbox) -> None:
    outputs = run_all(box, phases(0, "1.34"))
    calls = box.calls()
    done = mutating(calls)
    etc = box.root / "etc"

    assert (etc / "hostname").read_text().strip() == "blue-control-plane-1"
    assert "swapoff -a" in done
    assert "#/swap.img none swap sw 0 0" in (etc / "fstab").read_text()
    assert {"modprobe overlay", "modprobe br_netfilter"} <= set(done)
    assert "sysctl --system" in done
    assert (box.state / "sysctl" / "net.ipv4.ip_forward").read_text().strip() == "1"

    assert "SystemdCgroup = true" in (etc / "containerd" / "config.toml").read_text()
    assert "systemctl restart containerd" in done

    sources = (etc / "apt" / "sources.list.d" / "kubernetes.list").read_text()
    assert "https://pkgs.k8s.io/core:/stable:/v1.34/deb/ /" in sources
    installs = [c for c in done if c.startswith("apt-get") and "kubeadm=" in c]
    assert installs and "kubeadm=1.34.3-1.1" in installs[0]  # latest patch of the minor
    assert set((box.state / "holds").read_text().split()) == {"kubelet", "kubeadm", "kubectl"}

    assert "crictl pull registry.k8s.io/kube-apiserver:v1.34.3" in done
    assert not [c for c in done if "kube-proxy" in c]  # Cilium replaces it: never pulled

    pki = etc / "kubernetes" / "pki"
    assert (pki / "ca.crt").read_text() == fx.secrets().pki.ca_cert.rstrip("\n") + "\n"
    for key in ("ca.key", "front-proxy-ca.key", "etcd/ca.key", "sa.key"):
        assert stat.S_IMODE((pki / key).stat().st_mode) == 0o600, key
    init = [c for c in done if c.startswith("kubeadm init")]
    assert len(init) == 1 and "--upload-certs" not in init[0]
    # A minor version is resolved on the node from the installed kubeadm.
    assert (
        (box.state / "kubeadm-init.yaml")
        .read_text()
        .rstrip()
        .endswith("kubernetesVersion: v1.34.3")
    )

    assert (box.root / "usr-local" / "bin" / "helm").exists()
    assert any(c.startswith("helm upgrade --install cilium cilium") for c in done)
    assert "MTU: 1420" in (box.state / "helm-release-cilium").read_text()

    assert outputs["80-admin-kubeconfig.sh"] == (etc / "kubernetes" / "admin.conf").read_text()


def test_exact_version_is_pinned_and_not_appended_twice(box: NodeSandbox) -> None:
    run_all(box, phases(0, "1.34.2"))
    assert (box.state / "dpkg" / "kubeadm").read_text().strip() == "1.34.2-1.1"
    config = (box.state / "kubeadm-init.yaml").read_text()
    assert config.count("kubernetesVersion:") == 1
    assert "kubernetesVersion: v1.34.2" in config


def test_secrets_never_reach_a_command_line(box: NodeSandbox) -> None:
    run_all(box, phases(0, "1.34"))
    log = (box.state / "calls.log").read_text()
    secrets = fx.secrets()
    assert secrets.bootstrap_token not in log
    assert "PRIVATE KEY" not in log


def test_worker_joins_with_the_pinned_ca(box: NodeSandbox) -> None:
    run_all(box, phases(3, "1.34"))
    done = mutating(box.calls())
    assert [c for c in done if c.startswith("kubeadm")] == [
        c for c in done if c.startswith("kubeadm join --config ")
    ]
    joined = (box.state / "kubeadm-join.yaml").read_text()
    assert "caCertHashes:" in joined and "controlPlane:" not in joined
    assert not any(c.startswith("crictl pull") for c in done)  # workers skip the pre-pull


def test_a_node_joined_before_stamps_existed_is_adopted_not_joined_again(
    box: NodeSandbox,
) -> None:
    kubelet_conf = box.root / "etc" / "kubernetes" / "kubelet.conf"
    kubelet_conf.parent.mkdir(parents=True)
    kubelet_conf.write_text(
        "clusters:\n- cluster:\n    server: https://api.blue.klustered.internal:6443\n"
    )
    join = dict(phases(3, "1.34"))["50-kubeadm-join.sh"]
    result = box.run(join)
    assert result.returncode == 0, result.stderr
    assert "adopted" in result.stderr
    assert not [c for c in box.calls() if c.startswith("kubeadm")]
    # Adopted nodes move to the node-local load balancer too.
    assert "server: https://127.0.0.1:7445" in kubelet_conf.read_text()
    assert mutating(box.calls()) == ["systemctl restart kubelet"]

    box.reset_calls()
    assert box.run(join).returncode == 0
    assert mutating(box.calls()) == []


def test_recorders_see_what_a_changed_input_does(box: NodeSandbox) -> None:
    # The idempotence checks compare with the wanted state, not just "ran before".
    prep = dict(phases(3, "1.34"))["10-os-prep.sh"]
    assert box.run(prep).returncode == 0
    box.reset_calls()
    (box.root / "etc" / "hostname").write_text("renamed\n")
    (box.state / "swaps").write_text("/swap.img\n")
    assert box.run(prep).returncode == 0
    assert mutating(box.calls()) == ["hostnamectl set-hostname blue-worker-1", "swapoff -a"]


def test_a_write_that_fails_stops_the_phase(box: NodeSandbox) -> None:
    # write_file runs under `if`, where set -e is off: its failures must still stop the script.
    (box.root / "etc" / "containerd").write_text("not a directory\n")
    containerd = dict(phases(3, "1.34"))["20-containerd.sh"]
    result = box.run(containerd)
    assert result.returncode != 0
    assert "cannot" in result.stderr
    assert not any(c.startswith("systemctl restart") for c in box.calls())
