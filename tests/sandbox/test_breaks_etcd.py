"""The etcd breaks against a real etcd (Debian etcd-server) that the test starts.

A stand-in kubelet runs etcd from the sandbox's static pod manifest (started when the
manifest appears or changes, killed when it goes), so break.sh and solve.sh drive etcd
exactly as on a kubeadm node: by editing or moving /etc/kubernetes/manifests/etcd.yaml.
The scripts reach etcd over plain HTTP through their ETCDCTL_* environment.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from breaks.catalog import load_break
from breaks.render import render_steps
from tests.breaks_fixtures import NodeSandbox, shared_pki
from tests.tools import bwrap_missing

pytestmark = pytest.mark.sandbox


def _missing() -> str | None:
    for tool in ("etcd", "etcdctl"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (Debian etcd-server / etcd-client)"
    return bwrap_missing()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _manifest(client: int, peer: int, metrics: int) -> str:
    return f"""\
apiVersion: v1
kind: Pod
metadata:
  labels:
    component: etcd
    tier: control-plane
  name: etcd
  namespace: kube-system
spec:
  containers:
  - command:
    - etcd
    - --advertise-client-urls=http://127.0.0.1:{client}
    - --data-dir=/var/lib/etcd
    - --initial-advertise-peer-urls=http://127.0.0.1:{peer}
    - --initial-cluster=blue-control-plane-1=http://127.0.0.1:{peer}
    - --listen-client-urls=http://127.0.0.1:{client}
    - --listen-metrics-urls=http://127.0.0.1:{metrics}
    - --listen-peer-urls=http://127.0.0.1:{peer}
    - --name=blue-control-plane-1
    image: registry.k8s.io/etcd:3.4.23-0
    name: etcd
  hostNetwork: true
"""


class StaticPodEtcd:
    """Runs etcd while the sandbox's etcd.yaml exists, restarting it when the file changes."""

    def __init__(self, node: NodeSandbox, log: Path) -> None:
        self.node = node
        self.manifest = node.root / "etc/kubernetes/manifests/etcd.yaml"
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None
        self.running_text: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self._kill()

    def _kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.proc = None
        self.running_text = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            text = self.manifest.read_text() if self.manifest.exists() else None
            if text != self.running_text or (
                self.proc is not None and self.proc.poll() is not None
            ):
                self._kill()
                if text is not None:
                    self._launch(text)
            time.sleep(0.2)

    def _launch(self, text: str) -> None:
        command = yaml.safe_load(text)["spec"]["containers"][0]["command"]
        args = []
        for arg in command[1:]:
            if arg.startswith("--data-dir="):
                data_dir = self.node.root / arg.split("=", 1)[1].lstrip("/")
                args.append(f"--data-dir={data_dir}")
            else:
                args.append(arg)
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(["etcd", *args], stdout=out, stderr=out)
        self.running_text = text


class Etcd:
    """The test's view of the etcd the sandbox runs."""

    def __init__(self, node: NodeSandbox, client: int, metrics: int) -> None:
        self.node = node
        self.endpoint = f"http://127.0.0.1:{client}"
        self.metrics = metrics

    def ctl(self, *args: str, timeout: str = "3s") -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "ETCDCTL_API": "3"}
        return subprocess.run(
            ["etcdctl", f"--endpoints={self.endpoint}", f"--command-timeout={timeout}", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=30,
            check=False,
        )

    def healthy(self) -> bool:
        return self.ctl("endpoint", "health").returncode == 0

    def wait(self, healthy: bool, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while self.healthy() != healthy:
            assert time.monotonic() < deadline, f"etcd did not become healthy={healthy}"
            time.sleep(0.5)

    def script_env(self) -> dict[str, str]:
        return {
            "ETCDCTL_ENDPOINTS": self.endpoint,
            "ETCDCTL_CACERT": "",
            "ETCDCTL_CERT": "",
            "ETCDCTL_KEY": "",
            "ETCD_METRICS_PORT": str(self.metrics),
        }


@pytest.fixture
def etcd() -> Iterator[Etcd]:
    why = _missing()
    if why:
        pytest.skip(why)
    tmp = Path(tempfile.mkdtemp(prefix="klustered-etcd-"))
    kubelet: StaticPodEtcd | None = None
    try:
        node = NodeSandbox(tmp / "node", shared_pki())
        shutil.rmtree(node.root / "var/lib/etcd")
        client, peer, metrics = _free_port(), _free_port(), _free_port()
        (node.root / "etc/kubernetes/manifests/etcd.yaml").write_text(
            _manifest(client, peer, metrics)
        )
        kubelet = StaticPodEtcd(node, tmp / "etcd.log")
        kubelet.start()
        etcd = Etcd(node, client, metrics)
        etcd.wait(healthy=True)
        yield etcd
    finally:
        if kubelet is not None:
            kubelet.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def _write_keys(etcd: Etcd) -> dict[str, str]:
    keys = {f"/registry/configmaps/default/quote-{i}": f"value {i}" for i in range(5)}
    for key, value in keys.items():
        assert etcd.ctl("put", key, value).returncode == 0
    return keys


def _assert_keys(etcd: Etcd, keys: dict[str, str]) -> None:
    for key, value in keys.items():
        got = etcd.ctl("get", key, "--print-value-only")
        assert got.returncode == 0, got.stderr
        assert got.stdout.strip() == value


def _run(etcd: Etcd, script: str, step: str) -> None:
    result = etcd.node.run(script, etcd.script_env())
    assert result.returncode == 0, f"{step} failed:\n{result.stdout}\n{result.stderr}"


def test_bogus_member_loses_quorum_and_the_snapshot_brings_data_back(etcd: Etcd) -> None:
    keys = _write_keys(etcd)
    steps = render_steps(load_break("etcd-bogus-member"))

    _run(etcd, steps["break"], "break")
    etcd.wait(healthy=False)
    assert etcd.ctl("put", "/after-break", "x").returncode != 0, "writes need quorum"
    state = etcd.node.root / "var/lib/klustered/breaks/etcd-bogus-member"
    assert (state / "snapshot.db").stat().st_size > 0, "the snapshot is kept on the node"

    _run(etcd, steps["break"], "second break")
    assert not etcd.healthy()

    _run(etcd, steps["solve"], "solve")
    etcd.wait(healthy=True)
    _assert_keys(etcd, keys)
    members = etcd.ctl("member", "list")
    assert members.returncode == 0 and len(members.stdout.strip().splitlines()) == 1
    assert not (state / "snapshot.db").exists()
    assert not (etcd.node.root / "var/lib/etcd.broken").exists()

    _run(etcd, steps["solve"], "second solve")
    assert etcd.healthy()
    _assert_keys(etcd, keys)


def test_space_exhaustion_raises_nospace_and_solve_frees_it(etcd: Etcd) -> None:
    keys = _write_keys(etcd)
    manifest = etcd.node.root / "etc/kubernetes/manifests/etcd.yaml"
    original = manifest.read_bytes()
    steps = render_steps(load_break("etcd-space-exhausted"), {"quotaBytes": 4 * 1024 * 1024})

    _run(etcd, steps["break"], "break")
    assert "NOSPACE" in etcd.ctl("alarm", "list").stdout
    refused = etcd.ctl("put", "/after-break", "x")
    assert refused.returncode != 0
    assert "database space exceeded" in refused.stderr
    # (etcdctl >= 3.5 also reports the alarm from `endpoint health`; 3.4 does not.)

    _run(etcd, steps["break"], "second break")

    _run(etcd, steps["solve"], "solve")
    assert manifest.read_bytes() == original
    etcd.wait(healthy=True)
    assert etcd.ctl("alarm", "list").stdout.strip() == ""
    assert etcd.ctl("put", "/after-solve", "x").returncode == 0
    _assert_keys(etcd, keys)
    filler = etcd.ctl("get", "--prefix", "--keys-only", "/klustered/filler/")
    assert filler.stdout.strip() == ""

    _run(etcd, steps["solve"], "second solve")
    assert etcd.healthy()
