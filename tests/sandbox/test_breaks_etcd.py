"""The etcd breaks against a real etcd (Debian etcd-server) that the test starts.

A stand-in kubelet runs etcd from the sandbox's static pod manifest (started when the
manifest appears or changes, killed when it goes), so break.sh and solve.sh drive etcd
exactly as on a kubeadm node: by editing or moving /etc/kubernetes/manifests/etcd.yaml.
The scripts reach etcd over plain HTTP through their ETCDCTL_* environment.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from breaks.catalog import load_break
from breaks.render import render_steps
from tests.breaks_fixtures import NodeSandbox, shared_pki
from tests.kubeadm_manifests import KubeadmConfig, to_yaml
from tests.kubeadm_manifests import etcd as kubeadm_etcd
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


ADVERTISE = "127.0.0.2"
"""The node's address in the sandbox (kubeadm listens on 127.0.0.1 and on this one)."""
ETCD36_ONLY = ("--feature-gates=", "--watch-progress-notify-interval=")
"""Flags kubeadm 1.34 passes to etcd 3.6 that Debian's etcd 3.4 does not know."""


def _manifest(client: int, peer: int, metrics: int) -> str:
    """kubeadm 1.34's etcd.yaml (tests/kubeadm_manifests.py) on local ports, plain HTTP.

    The probe path is /health: Debian's etcd 3.4 has no /livez (kubeadm 1.34 probes
    /livez on etcd 3.6).
    """
    cfg = KubeadmConfig(
        advertise_address=ADVERTISE,
        etcd_client_scheme="http",
        etcd_client_port=client,
        etcd_peer_port=peer,
        etcd_metrics_port=metrics,
    )
    pod = kubeadm_etcd(cfg)
    pod["spec"]["containers"][0]["livenessProbe"]["httpGet"]["path"] = "/health"
    return to_yaml(pod)


def _etcd_command(text: str) -> list[str] | None:
    """The etcd container's command in a static pod manifest; None if it does not parse."""
    try:
        command = yaml.safe_load(text)["spec"]["containers"][0]["command"]
    except (yaml.YAMLError, LookupError, TypeError):
        return None
    return [str(arg) for arg in command] if isinstance(command, list) else None


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
            try:
                text: str | None = self.manifest.read_text()
            except FileNotFoundError:
                text = None
            command = None if text is None else _etcd_command(text)
            if text is not None and command is None:
                pass  # caught mid-write (cp, write_bytes truncate first): kubelet skips it too
            elif text != self.running_text or (
                self.proc is not None and self.proc.poll() is not None
            ):
                self._kill()
                if text is not None and command is not None:
                    self._launch(text, command)
            time.sleep(0.2)

    def _launch(self, text: str, command: list[str]) -> None:
        args = []
        for arg in command[1:]:
            if arg.startswith(ETCD36_ONLY):
                continue
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
        self.client = client
        self.endpoint = f"http://127.0.0.1:{client}"
        self.metrics = metrics

    def ctl(
        self, *args: str, timeout: str = "3s", endpoint: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "ETCDCTL_API": "3"}
        endpoint = endpoint or self.endpoint
        return subprocess.run(
            ["etcdctl", f"--endpoints={endpoint}", f"--command-timeout={timeout}", *args],
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

    def started(self) -> str | None:
        """etcd's process start time from its metrics (what the break scripts compare too)."""
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with direct.open(f"http://127.0.0.1:{self.metrics}/metrics", timeout=3) as r:
                metrics = r.read().decode()
        except (OSError, http.client.HTTPException):  # not up yet, or killed mid-answer
            return None
        found = re.search(r"^process_start_time_seconds (\S+)$", metrics, re.MULTILINE)
        return found.group(1) if found else None

    def wait_restarted(self, before: str | None, seconds: float = 30) -> None:
        """Wait until an etcd started after `before` (a `started()` value) is healthy."""
        deadline = time.monotonic() + seconds
        while self.started() in (None, before):
            assert time.monotonic() < deadline, "the stand-in kubelet did not restart etcd"
            time.sleep(0.2)
        self.wait(healthy=True, seconds=max(deadline - time.monotonic(), 1))

    def manifest(self) -> Path:
        return self.node.root / "etc/kubernetes/manifests/etcd.yaml"

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
    steps = render_steps(load_break("etcd-space-exhausted"), {"headroomBytes": 2 * 1024 * 1024})

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


def _db_size(etcd: Etcd) -> int:
    status = etcd.ctl("endpoint", "status", "-w", "json")
    return int(re.search(r'"dbSize":(\d+)', status.stdout).group(1))  # type: ignore[union-attr]


def test_space_quota_is_taken_from_the_current_db_size(etcd: Etcd) -> None:
    for i in range(40):  # a database of a few MiB, like a real cluster's
        assert etcd.ctl("put", f"/registry/big/{i}", "y" * 100_000).returncode == 0
    size = _db_size(etcd)
    steps = render_steps(load_break("etcd-space-exhausted"), {"headroomBytes": 1024 * 1024})
    _run(etcd, steps["break"], "break")
    quota = int(re.search(r"--quota-backend-bytes=(\d+)", etcd.manifest().read_text()).group(1))  # type: ignore[union-attr]
    assert size <= quota - 1024 * 1024 <= size + 1024 * 1024
    assert "NOSPACE" in etcd.ctl("alarm", "list").stdout


def test_space_solve_does_not_wait_for_a_restart_fixers_made_already(etcd: Etcd) -> None:
    manifest = etcd.manifest()
    original = manifest.read_bytes()
    steps = render_steps(load_break("etcd-space-exhausted"), {"quotaBytes": 4 * 1024 * 1024})
    _run(etcd, steps["break"], "break")
    before = etcd.started()
    manifest.write_bytes(original)  # the fixers' edit: quota flag gone
    # ... and the restart it causes has happened (etcd is healthy before it as well).
    etcd.wait_restarted(before)
    start = time.monotonic()
    _run(etcd, steps["solve"], "solve")
    assert time.monotonic() - start < 60, "solve waited for a restart that never comes"
    assert manifest.read_bytes() == original
    assert etcd.ctl("put", "/after-solve", "x").returncode == 0


def test_bogus_member_refuses_a_cluster_of_several_members(etcd: Etcd) -> None:
    added = etcd.ctl("member", "add", "learner", "--learner", "--peer-urls=http://127.0.0.9:2380")
    assert added.returncode == 0, added.stderr
    steps = render_steps(load_break("etcd-bogus-member"))
    result = etcd.node.run(steps["break"], etcd.script_env(), verbose=False)
    assert result.returncode == 1
    assert "one-member etcd only; this one has 2 members" in result.stderr
    assert etcd.healthy(), "nothing was added"
    assert len(etcd.ctl("member", "list").stdout.strip().splitlines()) == 2


def test_bogus_member_solve_leaves_a_fixed_cluster_alone(etcd: Etcd) -> None:
    steps = render_steps(load_break("etcd-bogus-member"))
    _run(etcd, steps["break"], "break")
    etcd.wait(healthy=False)
    # The fixers restore etcd themselves (here: with the solve), then keep working.
    _run(etcd, steps["solve"], "fixers' restore")
    etcd.wait(healthy=True)
    state = etcd.node.root / "var/lib/klustered/breaks/etcd-bogus-member"
    (state / "member-added").touch()  # as if the fixers had restored by hand
    assert etcd.ctl("put", "/fixers/work", "kept").returncode == 0
    _run(etcd, steps["solve"], "solve on destroy")
    assert etcd.ctl("get", "/fixers/work", "--print-value-only").stdout.strip() == "kept"
    assert not (state / "member-added").exists()


def test_etcd_client_address_moved_leaves_127_0_0_1_to_nobody(etcd: Etcd) -> None:
    keys = _write_keys(etcd)
    manifest = etcd.manifest()
    original = manifest.read_bytes()
    steps = render_steps(load_break("etcd-client-address-moved"))
    _run(etcd, steps["break"], "break")
    moved = f"http://127.0.1.1:{etcd.client}"
    deadline = time.monotonic() + 30
    while etcd.ctl("endpoint", "health", endpoint=moved).returncode != 0:
        assert time.monotonic() < deadline, "etcd did not come back on 127.0.1.1"
        time.sleep(0.5)
    assert not etcd.healthy(), "nothing answers on 127.0.0.1 any more"
    _run(etcd, steps["break"], "second break")
    assert manifest.read_text().count("127.0.1.1") == 1
    _run(etcd, steps["solve"], "solve")
    assert manifest.read_bytes() == original
    etcd.wait(healthy=True)
    _assert_keys(etcd, keys)


def test_etcd_max_request_bytes_refuses_big_writes_only(etcd: Etcd) -> None:
    manifest = etcd.manifest()
    original = manifest.read_bytes()
    steps = render_steps(load_break("etcd-max-request-bytes"))
    _run(etcd, steps["break"], "break")
    assert "--max-request-bytes=2048\n" in manifest.read_text()
    deadline = time.monotonic() + 30
    while True:
        big = etcd.ctl("put", "/registry/configmaps/default/big", "z" * 4096)
        if big.returncode != 0 and "request is too large" in big.stderr:
            break
        assert time.monotonic() < deadline, big.stderr
        time.sleep(0.5)
    etcd.wait(healthy=True)
    assert etcd.ctl("put", "/registry/leases/small", "ok").returncode == 0
    _run(etcd, steps["break"], "second break")
    assert manifest.read_text().count("--max-request-bytes") == 1
    _run(etcd, steps["solve"], "solve")
    assert manifest.read_bytes() == original
    deadline = time.monotonic() + 30
    while etcd.ctl("put", "/registry/configmaps/default/big", "z" * 4096).returncode != 0:
        assert time.monotonic() < deadline
        time.sleep(0.5)


def test_etcd_liveness_verify_follows_the_named_probe_port(etcd: Etcd) -> None:
    scenario = load_break("etcd-liveness-probe-path")
    steps = render_steps(scenario)
    assert "port: probe-port" in etcd.manifest().read_text()
    verify = etcd.node.run(steps["verify"], etcd.script_env())
    assert verify.returncode == 0, verify.stderr
    before = etcd.started()
    _run(etcd, steps["break"], "break")
    etcd.wait_restarted(before)  # the stand-in kubelet restarts etcd for the changed manifest
    red = etcd.node.run(steps["verify"], etcd.script_env())
    assert red.returncode == 1
    assert "404" in red.stderr
    before = etcd.started()
    _run(etcd, steps["solve"], "solve")
    etcd.wait_restarted(before)
    assert etcd.node.run(steps["verify"], etcd.script_env()).returncode == 0
