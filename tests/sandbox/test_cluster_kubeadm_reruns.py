"""Bootstrap phases when things go wrong, run for real in the node sandbox (bubblewrap with
recorder stubs, tests/cluster_sandbox.py): kubeadm failing or killed midway, the next run
a day later, a minor version change, a token about to expire, a node that never joins.
The recorder's kubeadm refuses to run over an earlier attempt's leftovers, as kubeadm's
preflight does, and prints the bootstrap token in its output, as kubeadm does.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import signal
import stat
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from components.cluster.membership import render_join_token_step
from components.nodes import NodeRole, NodeSlot
from tests import cluster_fixtures as fx
from tests.cluster_sandbox import NodeSandbox, mutating
from tests.tools import bwrap_missing

_REASON = bwrap_missing()
pytestmark = [pytest.mark.sandbox, pytest.mark.skipif(_REASON is not None, reason=_REASON or "")]

CP1, CP2, WORKER = 0, 1, 3


def files(index: int, version: str = "1.34", **options: object) -> dict[str, str]:
    slot = fx.slots()[index]
    return fx.render_node_files(
        fx.cluster(version),
        slot,
        fx.node(slot, index + 1),
        fx.secrets(),
        fx.cilium(),
        **{**fx.cluster_options(), **options},
    )


def up_to_kubeadm(index: int) -> list[str]:
    """The node's phases before kubeadm (the firewall needs a network namespace)."""
    return [
        text
        for name, text in files(index).items()
        if name.endswith(".sh") and name[:2] < "50" and name != "43-firewall.sh"
    ]


def kubeadm_phase(index: int) -> str:
    return files(index)["50-kubeadm-init.sh" if index == CP1 else "50-kubeadm-join.sh"]


def secret_values() -> list[str]:
    s = fx.secrets()
    token_secret = s.bootstrap_token.split(".")[1]
    values = [s.bootstrap_token, token_secret]
    for pem in (s.pki.ca_key, s.pki.etcd_ca_key, s.pki.front_proxy_ca_key, s.pki.sa_key):
        values += [line for line in pem.splitlines() if "-----" not in line]
    return values


@pytest.fixture
def box(tmp_path: Path) -> Iterator[NodeSandbox]:
    yield NodeSandbox.create(tmp_path / "node", nodes=fx.expected_nodes())


def prepared(box: NodeSandbox, index: int) -> NodeSandbox:
    for script in up_to_kubeadm(index):
        result = box.run(script)
        assert result.returncode == 0, result.stderr
    box.reset_calls()
    return box


def kubeadm_calls(box: NodeSandbox) -> list[str]:
    return [c.split(" --config ")[0] for c in box.calls() if c.startswith("kubeadm ")]


@pytest.mark.parametrize("index", [CP1, CP2, WORKER])
def test_kubeadm_failing_midway_is_reset_and_retried_in_the_same_run(
    box: NodeSandbox, index: int
) -> None:
    prepared(box, index)
    verb = "init" if index == CP1 else "join"
    (box.state / f"kubeadm-fail-{verb}").write_text("1\n")

    result = box.run(kubeadm_phase(index))

    assert result.returncode == 0, result.stderr
    assert kubeadm_calls(box)[-3:] == [f"kubeadm {verb}", "kubeadm reset -f", f"kubeadm {verb}"]
    done = box.root / "var/lib/klustered/kubeadm.done"
    assert done.read_text().startswith(verb)
    assert not (box.root / "var/lib/klustered/kubeadm.attempt").exists()
    if index != WORKER:  # reset removed the CAs; they were placed again before the retry
        assert (box.root / "etc/kubernetes/pki/ca.key").exists()
    assert (
        "server: https://127.0.0.1:7445" in (box.root / "etc/kubernetes/kubelet.conf").read_text()
    )

    box.reset_calls()
    again = box.run(kubeadm_phase(index))
    assert again.returncode == 0, again.stderr
    assert mutating(box.calls()) == []


def test_a_failed_run_is_completed_by_the_next_one(box: NodeSandbox) -> None:
    prepared(box, WORKER)
    (box.state / "kubeadm-fail-join").write_text("2\n")

    failed = box.run(kubeadm_phase(WORKER))
    assert failed.returncode != 0
    # One line says what happened and where to look; kubelet.conf was left half-made.
    last = failed.stderr.strip().splitlines()[-1]
    assert "kubeadm join failed 2 times" in last
    assert "/var/log/klustered/kubeadm-join.log" in last
    assert (box.root / "etc/kubernetes/kubelet.conf").exists()
    assert not (box.root / "var/lib/klustered/kubeadm.done").exists()

    box.reset_calls()
    retried = box.run(kubeadm_phase(WORKER))  # the next `pulumi up`
    assert retried.returncode == 0, retried.stderr
    assert kubeadm_calls(box) == ["kubeadm reset -f", "kubeadm join"]
    assert (box.root / "var/lib/klustered/kubeadm.done").exists()


def test_a_phase_killed_during_kubeadm_is_reset_and_completed_by_the_next_run(
    box: NodeSandbox,
) -> None:
    prepared(box, CP2)
    (box.state / "kubeadm-hang-join").touch()
    proc = subprocess.Popen(
        box.argv(command=["bash", "-s"]),
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdin is not None
    proc.stdin.write(kubeadm_phase(CP2))
    proc.stdin.close()
    deadline = time.monotonic() + 30
    while not (box.state / "kubeadm-hanging").exists():
        assert proc.poll() is None, "the phase ended before kubeadm hung"
        assert time.monotonic() < deadline
        time.sleep(0.1)
    os.kill(proc.pid, signal.SIGKILL)  # the SSH session drops: no trap runs
    proc.wait(timeout=10)

    # What a killed run leaves: the secret config only under the root-only /run/klustered.
    private = box.root / "run/klustered"
    leftovers = list(private.iterdir())
    assert [p.name.split(".")[0] for p in leftovers] == ["kubeadm-join"]
    assert stat.S_IMODE(private.stat().st_mode) == 0o700
    assert stat.S_IMODE(leftovers[0].stat().st_mode) == 0o600
    assert not [p for p in (box.root / "etc/kubernetes/pki").rglob("*.klustered.*")]

    box.reset_calls()
    result = box.run(kubeadm_phase(CP2))
    assert result.returncode == 0, result.stderr
    assert kubeadm_calls(box) == ["kubeadm reset -f", "kubeadm join"]
    assert list(private.iterdir()) == []  # the next run cleaned up after the killed one


@pytest.mark.parametrize("index", [CP1, CP2, WORKER])
def test_a_failing_secret_phase_prints_no_secret(box: NodeSandbox, index: int) -> None:
    prepared(box, index)
    verb = "init" if index == CP1 else "join"
    (box.state / f"kubeadm-fail-{verb}").write_text("2\n")

    result = box.run(kubeadm_phase(index))

    assert result.returncode != 0
    printed = result.stdout + result.stderr
    assert [v for v in secret_values() if v in printed] == []
    # kubeadm did print the token: into its root-only log, not the phase output.
    log = box.root / f"var/log/klustered/kubeadm-{verb}.log"
    assert fx.secrets().bootstrap_token in log.read_text()
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert stat.S_IMODE(log.parent.stat().st_mode) == 0o700
    assert [c for c in box.calls() if fx.secrets().bootstrap_token in c] == []


def test_a_successful_kubeadm_phase_prints_a_summary_and_no_secret(box: NodeSandbox) -> None:
    prepared(box, CP1)
    result = box.run(kubeadm_phase(CP1))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "kubeadm init done (output in /var/log/klustered/kubeadm-init.log" in result.stderr
    assert [v for v in secret_values() if v in result.stderr] == []


def test_control_plane_one_rejoins_a_cluster_that_outlived_its_machine(box: NodeSandbox) -> None:
    prepared(box, CP1)
    (box.state / "api-up" / "10.254.0.2").touch()  # control-plane-2 serves the API

    result = box.run(kubeadm_phase(CP1))

    assert result.returncode == 0, result.stderr
    assert kubeadm_calls(box) == ["kubeadm join"]
    joined = (box.state / "kubeadm-join.yaml").read_text()
    assert "controlPlane:" in joined and "name: blue-control-plane-1" in joined
    assert (box.root / "etc/kubernetes/pki/ca.key").exists()  # placed, not downloaded
    # Its endpoint name points at its own API server once it runs one.
    assert (
        "10.254.0.1 api.blue.klustered.live # klustered api endpoint"
        in (box.root / "etc/hosts").read_text()
    )


def hosts_entry(box: NodeSandbox) -> str:
    lines = (box.root / "etc/hosts").read_text().splitlines()
    [entry] = [line for line in lines if line.endswith("# klustered api endpoint")]
    return entry.split()[0]


def test_the_endpoint_name_follows_a_live_control_plane(box: NodeSandbox) -> None:
    endpoint = files(WORKER)["45-api-endpoint.sh"]
    # A fresh cluster: nobody answers yet, control-plane-1 it is.
    assert box.run(endpoint).returncode == 0
    assert hosts_entry(box) == "10.254.0.1"
    # control-plane-1 is dead, control-plane-3 answers: a node added now joins through it.
    (box.state / "api-up" / "10.254.0.3").touch()
    assert box.run(endpoint).returncode == 0
    assert hosts_entry(box) == "10.254.0.3"
    # Nobody answers for a moment: the last choice stays.
    (box.state / "api-up" / "10.254.0.3").unlink()
    assert box.run(endpoint).returncode == 0
    assert hosts_entry(box) == "10.254.0.3"


def test_a_bootstrapped_control_plane_names_its_own_api_server(box: NodeSandbox) -> None:
    (box.state / "api-up" / "10.254.0.1").touch()
    (box.root / "var/lib/klustered").mkdir(parents=True)
    (box.root / "var/lib/klustered/kubeadm.done").write_text("join\n")
    (box.root / "etc/kubernetes/manifests").mkdir(parents=True)
    (box.root / "etc/kubernetes/manifests/kube-apiserver.yaml").write_text("kind: Pod\n")
    assert box.run(files(CP2)["45-api-endpoint.sh"]).returncode == 0
    assert hosts_entry(box) == "10.254.0.2"


def test_packages_refuse_a_minor_change_on_a_node_in_a_cluster(box: NodeSandbox) -> None:
    (box.state / "dpkg").mkdir()
    for pkg in ("kubeadm", "kubelet", "kubectl"):
        (box.state / "dpkg" / pkg).write_text("1.33.5-1.1\n")
    (box.root / "var/lib/klustered").mkdir(parents=True)
    (box.root / "var/lib/klustered/kubeadm.done").write_text("join\n")

    result = box.run(files(WORKER, "1.34")["30-kubernetes-packages.sh"])

    assert result.returncode != 0
    [line] = [line for line in result.stderr.splitlines() if "error" in line]
    assert "runs Kubernetes 1.33 and the stack asks for 1.34" in line
    assert "set kubernetes.version back to 1.33" in line
    assert mutating(box.calls()) == []


def test_packages_move_to_a_new_patch_and_install_any_minor_on_a_fresh_node(
    box: NodeSandbox,
) -> None:
    (box.state / "dpkg").mkdir()
    for pkg in ("kubeadm", "kubelet", "kubectl"):
        (box.state / "dpkg" / pkg).write_text("1.34.1-1.1\n")
    (box.root / "var/lib/klustered").mkdir(parents=True)
    (box.root / "var/lib/klustered/kubeadm.done").write_text("join\n")
    result = box.run(files(WORKER, "1.34.3")["30-kubernetes-packages.sh"])
    assert result.returncode == 0, result.stderr
    assert (box.state / "dpkg" / "kubeadm").read_text().strip() == "1.34.3-1.1"

    (box.root / "var/lib/klustered/kubeadm.done").unlink()  # a node that never joined
    for pkg in ("kubeadm", "kubelet", "kubectl"):
        (box.state / "dpkg" / pkg).write_text("1.33.5-1.1\n")
    result = box.run(files(WORKER, "1.34")["30-kubernetes-packages.sh"])
    assert result.returncode == 0, result.stderr
    assert (box.state / "dpkg" / "kubeadm").read_text().strip() == "1.34.3-1.1"


def test_helm_is_downloaded_for_the_node_architecture(box: NodeSandbox) -> None:
    (box.state / "arch").write_text("arm64\n")
    result = box.run(files(CP1)["60-cilium.sh"])
    assert result.returncode == 0, result.stderr
    downloads = [c for c in box.calls() if c.startswith("curl") and "get.helm.sh" in c]
    assert downloads and all("linux-arm64" in c for c in downloads)


def test_readiness_waits_for_expected_nodes_only(box: NodeSandbox) -> None:
    (box.state / "nodes" / "blue-worker-3").write_text("False\n")  # removed, NotReady
    ready = files(CP1)["70-ready.sh"]
    result = box.run(ready)
    assert result.returncode == 0, result.stderr

    (box.state / "nodes" / "blue-worker-2").write_text("False\n")  # expected, NotReady
    slow = files(CP1, ready_timeout_seconds=1)["70-ready.sh"]
    result = box.run(slow, timeout=30)
    assert result.returncode != 0
    assert "node_ready blue-worker-2" in result.stderr


def test_control_planes_lose_their_taint_when_there_is_no_worker(box: NodeSandbox) -> None:
    ready = files(CP1, **fx.cluster_options(3, 0))["70-ready.sh"]
    result = box.run(ready)
    assert result.returncode == 0, result.stderr
    taints = [c for c in box.calls() if c.startswith("kubectl taint")]
    assert taints == [
        f"kubectl taint node blue-control-plane-{i} "
        "node-role.kubernetes.io/control-plane:NoSchedule-"
        for i in (1, 2, 3)
    ]
    box.reset_calls()
    assert box.run(ready).returncode == 0
    assert mutating(box.calls()) == []


def _expiration(box: NodeSandbox) -> dt.datetime | None:
    path = box.state / "secrets" / "bootstrap-token-abcdef" / "expiration-b64"
    if not path.exists():
        return None
    return dt.datetime.fromisoformat(base64.b64decode(path.read_text()).decode())


def _set_expiration(box: NodeSandbox, when: dt.datetime) -> None:
    secret = box.state / "secrets" / "bootstrap-token-abcdef"
    secret.mkdir(parents=True, exist_ok=True)
    text = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    (secret / "expiration-b64").write_text(base64.b64encode(text.encode()).decode())


WORKER_SLOT = NodeSlot("blue", NodeRole.WORKER, 1)


def test_join_token_step_recreates_a_missing_token_without_printing_it(
    box: NodeSandbox,
) -> None:
    step = render_join_token_step(WORKER_SLOT, bootstrap_token=fx.TOKEN)
    result = box.run(step)
    assert result.returncode == 0, result.stderr

    applied = (box.state / "secrets/bootstrap-token-abcdef/applied").read_text()
    assert "token-secret: 0123456789abcdef" in applied
    assert "type: bootstrap.kubernetes.io/token" in applied
    assert "auth-extra-groups: system:bootstrappers:kubeadm:default-node-token" in applied
    expires = _expiration(box)
    assert expires is not None
    left = expires - dt.datetime.now(dt.UTC)
    assert dt.timedelta(hours=23) < left <= dt.timedelta(hours=24)
    assert "0123456789abcdef" not in result.stdout + result.stderr
    assert [c for c in box.calls() if "0123456789abcdef" in c] == []
    assert "kubectl apply --server-side --force-conflicts -f -" in box.calls()


def test_join_token_step_leaves_a_valid_token_and_renews_one_about_to_expire(
    box: NodeSandbox,
) -> None:
    step = render_join_token_step(WORKER_SLOT, bootstrap_token=fx.TOKEN)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    _set_expiration(box, now + dt.timedelta(hours=20))
    assert box.run(step).returncode == 0
    assert not [c for c in box.calls() if c.startswith("kubectl apply")]

    _set_expiration(box, now + dt.timedelta(minutes=30))  # the same stack a day later
    box.reset_calls()
    assert box.run(step).returncode == 0
    assert [c for c in box.calls() if c.startswith("kubectl apply")]
    expires = _expiration(box)
    assert expires is not None and expires - now > dt.timedelta(hours=23)


def test_join_token_step_fails_when_the_node_never_joins(box: NodeSandbox) -> None:
    (box.state / "nodes" / "blue-worker-1").unlink()
    step = render_join_token_step(WORKER_SLOT, bootstrap_token=fx.TOKEN, join_wait_seconds=1)
    result = box.run(step, timeout=30)
    assert result.returncode != 0
    assert "blue-worker-1 has not joined after 1s" in result.stderr
    assert [v for v in secret_values() if v in result.stdout + result.stderr] == []


def test_join_token_step_for_a_control_plane_waits_for_its_role(box: NodeSandbox) -> None:
    (box.state / "roles" / "blue-control-plane-2").unlink()  # registered, not yet a control plane
    slot = NodeSlot("blue", NodeRole.CONTROL_PLANE, 2)
    step = render_join_token_step(slot, bootstrap_token=fx.TOKEN, join_wait_seconds=1)
    assert box.run(step, timeout=30).returncode != 0
    (box.state / "roles" / "blue-control-plane-2").write_text("control-plane\n")
    assert box.run(step, timeout=30).returncode == 0


def test_kubelet_keeps_its_server_when_the_local_balancer_cannot_be_verified(
    box: NodeSandbox,
) -> None:
    # A cluster whose API certificate lacks 127.0.0.1, or a balancer that is not up.
    prepared(box, WORKER)
    (box.state / "local-api-down").touch()
    join = files(WORKER, local_api_wait_seconds=1)["50-kubeadm-join.sh"]

    result = box.run(join, timeout=30)

    assert result.returncode == 0, result.stderr
    assert "does not answer with a certificate for 127.0.0.1" in result.stderr
    kubelet_conf = (box.root / "etc/kubernetes/kubelet.conf").read_text()
    assert "server: https://api.blue.klustered.internal:6443" in kubelet_conf
    assert "systemctl restart kubelet" not in box.calls()
