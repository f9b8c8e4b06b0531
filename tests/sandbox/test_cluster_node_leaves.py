"""A node leaves the cluster: the leave step's delete command, run as pulumi-command runs it
(the command string through a shell, on the keeper control plane), in the node sandbox.

Part one takes the delete command the program registers for a removed worker (mock engine)
and runs it against the recorders: drain, delete the Node. Part two removes a control
plane's member from a real three-member etcd (Debian etcd-server, TLS like kubeadm's)
running in a network namespace the sandbox shares; etcdctl is the real one, reached
through the recorder's `crictl exec` as on a node.
"""

from __future__ import annotations

import copy
import datetime as dt
import ipaddress
import os
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from components.cluster.membership import leave_command, render_leave_step
from components.nodes import NodeRole, NodeSlot
from klustered.plan import OfflineRun
from tests import cluster_fixtures as fx
from tests.cluster_sandbox import NodeSandbox, mutating
from tests.tools import bwrap_missing

pytestmark = pytest.mark.sandbox

SUDO = '#!/bin/sh\n[ "$1" = -n ] && shift\nexec "$@"\n'
"""sudo on a GCP node (passwordless for the login user); the sandbox already runs as root."""


def _skip_without_bwrap() -> None:
    reason = bwrap_missing()
    if reason:
        pytest.skip(reason)


def sandbox(tmp_path: Path, nodes: list[str]) -> NodeSandbox:
    box = NodeSandbox.create(tmp_path / "node", nodes=nodes)
    (box.stubs / "sudo").write_text(SUDO)
    (box.stubs / "sudo").chmod(0o755)
    admin = box.root / "etc/kubernetes/admin.conf"
    admin.parent.mkdir(parents=True, exist_ok=True)
    admin.write_text("apiVersion: v1\nkind: Config\n")
    return box


def run_delete(
    box: NodeSandbox, command: str, netns: str | None = None
) -> subprocess.CompletedProcess[str]:
    """The delete command through the login shell, as pulumi-command's SSH session runs it."""
    return subprocess.run(
        box.argv(netns=netns, command=["sh", "-c", command]),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def blue() -> OfflineRun:
    from conftest import run_stack

    return run_stack(
        copy.deepcopy(
            {
                "klustered:machines": {"provider": "gcp", "gcp": {"project": "test-project"}},
                "klustered:teams": [{"name": "blue", "controlPlanes": 3, "workers": 2}],
            }
        ),
        stack="leaves",
    )


def test_a_removed_workers_delete_command_drains_and_deletes_it(
    blue: OfflineRun, tmp_path: Path
) -> None:
    _skip_without_bwrap()
    command = blue.named("episode-blue-cluster-blue-worker-2-leave").inputs["delete"]
    box = sandbox(tmp_path, fx.expected_nodes())

    result = run_delete(box, command)

    assert result.returncode == 0, result.stderr
    assert mutating(box.calls()) == [
        "kubectl drain blue-worker-2 --ignore-daemonsets --delete-emptydir-data --force "
        "--timeout=120s",
        "kubectl delete node blue-worker-2 --ignore-not-found --wait=false",
    ]
    assert not (box.state / "nodes" / "blue-worker-2").exists()
    assert (box.state / "nodes" / "blue-worker-1").exists()
    assert not [c for c in box.calls() if c.startswith("crictl")]  # a worker has no etcd

    box.reset_calls()
    again = run_delete(box, command)
    assert again.returncode == 0, again.stderr
    assert "no such node" in again.stderr
    assert mutating(box.calls()) == []


def test_with_the_api_down_the_delete_command_still_succeeds(
    blue: OfflineRun, tmp_path: Path
) -> None:
    _skip_without_bwrap()
    command = blue.named("episode-blue-cluster-blue-worker-2-leave").inputs["delete"]
    box = sandbox(tmp_path, fx.expected_nodes())
    (box.state / "api-down").touch()
    result = run_delete(box, command)
    assert result.returncode == 0, result.stderr
    assert "API not reachable" in result.stderr
    assert mutating(box.calls()) == []


def test_a_control_plane_whose_etcd_member_cannot_be_removed_fails_loudly(
    blue: OfflineRun, tmp_path: Path
) -> None:
    _skip_without_bwrap()
    command = blue.named("episode-blue-cluster-blue-control-plane-3-leave").inputs["delete"]
    box = sandbox(tmp_path, fx.expected_nodes())  # no etcd runs on this keeper
    result = run_delete(box, command)
    assert result.returncode != 0
    assert "remove blue-control-plane-3's etcd member by hand" in result.stderr.splitlines()[-1]


# Part two: a real etcd.


def _pem(obj: x509.Certificate | ec.EllipticCurvePrivateKey) -> bytes:
    if isinstance(obj, x509.Certificate):
        return obj.public_bytes(serialization.Encoding.PEM)
    return obj.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _issue(name: str, addresses: list[str], *, server: bool) -> tuple[bytes, bytes]:
    """A certificate signed by the cluster's etcd CA (the program's, from the fixtures)."""
    pki = fx.secrets().pki
    ca = x509.load_pem_x509_certificate(pki.etcd_ca_cert.encode())
    ca_key = serialization.load_pem_private_key(pki.etcd_ca_key.encode(), password=None)
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    usages = [ExtendedKeyUsageOID.CLIENT_AUTH]
    if server:
        usages.append(ExtendedKeyUsageOID.SERVER_AUTH)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.ExtendedKeyUsage(usages), critical=False)
    )
    if addresses:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address(a)) for a in addresses]
            ),
            critical=False,
        )
    assert isinstance(ca_key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey)
    cert = builder.sign(ca_key, hashes.SHA256())
    return _pem(cert), _pem(key)


MEMBERS = {f"blue-control-plane-{i}": f"127.0.0.{i}" for i in (1, 2, 3)}


@dataclass
class EtcdCluster:
    """Three etcd members on loopback addresses of one network namespace."""

    netns: str
    certs: Path
    box: NodeSandbox
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def ctl(self, *args: str, endpoint: str = "127.0.0.1") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                "ip", "netns", "exec", self.netns, "etcdctl",
                f"--endpoints=https://{endpoint}:2379",
                f"--cacert={self.certs / 'ca.crt'}",
                f"--cert={self.certs / 'client.crt'}",
                f"--key={self.certs / 'client.key'}",
                "--command-timeout=3s", *args,
            ],
            capture_output=True,
            text=True,
            check=False,
        )  # fmt: skip

    def names(self) -> list[str]:
        listed = self.ctl("member", "list", "-w", "simple")
        assert listed.returncode == 0, listed.stderr
        return sorted(line.split(", ")[2] for line in listed.stdout.splitlines())


def _missing_etcd() -> str | None:
    if os.geteuid() != 0:
        return "needs root for ip netns"
    for tool in ("etcd", "etcdctl", "ip"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (Debian etcd-server, etcd-client, iproute2)"
    return bwrap_missing()


@pytest.fixture
def etcd(tmp_path: Path) -> Iterator[EtcdCluster]:
    reason = _missing_etcd()
    if reason:
        pytest.skip(reason)
    netns = f"k9etcd{uuid.uuid4().hex[:6]}"
    added = subprocess.run(["ip", "netns", "add", netns], capture_output=True, check=False)
    if added.returncode:
        pytest.skip("cannot create a network namespace here")
    certs = tmp_path / "certs"
    certs.mkdir()
    box = sandbox(tmp_path, fx.expected_nodes())
    cluster = EtcdCluster(netns, certs, box)
    try:
        subprocess.run(
            ["ip", "netns", "exec", netns, "ip", "link", "set", "lo", "up"],
            check=True,
            capture_output=True,
        )
        (certs / "ca.crt").write_text(fx.secrets().pki.etcd_ca_cert)
        crt, key = _issue("test-client", [], server=False)
        (certs / "client.crt").write_bytes(crt)
        (certs / "client.key").write_bytes(key)
        # The keeper's own files, where kubeadm puts them.
        etcd_pki = box.root / "etc/kubernetes/pki/etcd"
        etcd_pki.mkdir(parents=True)
        (etcd_pki / "ca.crt").write_text(fx.secrets().pki.etcd_ca_cert)
        crt, key = _issue("kube-etcd-healthcheck-client", [], server=False)
        (etcd_pki / "healthcheck-client.crt").write_bytes(crt)
        (etcd_pki / "healthcheck-client.key").write_bytes(key)
        (box.state / "etcd-running").touch()
        initial = ",".join(f"{n}=https://{a}:2380" for n, a in MEMBERS.items())
        for name, address in MEMBERS.items():
            crt, key = _issue(name, [address], server=True)
            (certs / f"{name}.crt").write_bytes(crt)
            (certs / f"{name}.key").write_bytes(key)
            cert, keyfile = certs / f"{name}.crt", certs / f"{name}.key"
            cluster.procs[name] = subprocess.Popen(
                [
                    "ip", "netns", "exec", netns, "etcd",
                    f"--name={name}", f"--data-dir={tmp_path / name}",
                    f"--listen-client-urls=https://{address}:2379",
                    f"--advertise-client-urls=https://{address}:2379",
                    f"--listen-peer-urls=https://{address}:2380",
                    f"--initial-advertise-peer-urls=https://{address}:2380",
                    f"--initial-cluster={initial}", "--initial-cluster-state=new",
                    f"--cert-file={cert}", f"--key-file={keyfile}",
                    f"--trusted-ca-file={certs / 'ca.crt'}", "--client-cert-auth",
                    f"--peer-cert-file={cert}", f"--peer-key-file={keyfile}",
                    f"--peer-trusted-ca-file={certs / 'ca.crt'}", "--peer-client-cert-auth",
                ],
                stdout=subprocess.DEVNULL,
                stderr=(tmp_path / f"{name}.log").open("wb"),
            )  # fmt: skip
        deadline = time.monotonic() + 30
        while cluster.ctl("endpoint", "health", "--cluster").returncode != 0:
            assert time.monotonic() < deadline, (tmp_path / "blue-control-plane-1.log").read_text()
            time.sleep(0.3)
        yield cluster
    finally:
        for proc in cluster.procs.values():
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        subprocess.run(["ip", "netns", "del", netns], capture_output=True, check=False)


def leave(index: int) -> str:
    slot = NodeSlot("blue", NodeRole.CONTROL_PLANE, index)
    return leave_command(
        "sudo -n bash -s", render_leave_step(slot, node_address=f"127.0.0.{index}")
    )


def test_a_leaving_control_plane_is_drained_deleted_and_its_member_removed(
    etcd: EtcdCluster,
) -> None:
    result = run_delete(etcd.box, leave(3), netns=etcd.netns)

    assert result.returncode == 0, result.stderr
    assert etcd.names() == ["blue-control-plane-1", "blue-control-plane-2"]
    assert etcd.ctl("endpoint", "health", "--cluster").returncode == 0  # quorum of two
    assert not (etcd.box.state / "nodes" / "blue-control-plane-3").exists()
    assert "etcd member" in result.stderr and "removed" in result.stderr
    # The removed member notices and stops, as it would on the leaving machine.
    etcd.procs["blue-control-plane-3"].wait(timeout=30)

    again = run_delete(etcd.box, leave(3), netns=etcd.netns)
    assert again.returncode == 0, again.stderr
    assert "blue-control-plane-3: no etcd member" in again.stderr


def test_a_member_added_but_never_started_is_found_by_its_peer_url(etcd: EtcdCluster) -> None:
    assert run_delete(etcd.box, leave(3), netns=etcd.netns).returncode == 0
    etcd.procs["blue-control-plane-3"].wait(timeout=30)
    # A control-plane join that failed after kubeadm added the member: no name yet.
    added = etcd.ctl("member", "add", "blue-control-plane-3", "--peer-urls=https://127.0.0.3:2380")
    assert added.returncode == 0, added.stderr
    assert "" in etcd.names()

    result = run_delete(etcd.box, leave(3), netns=etcd.netns)

    assert result.returncode == 0, result.stderr
    assert etcd.names() == ["blue-control-plane-1", "blue-control-plane-2"]


def test_a_removal_etcd_refuses_fails_the_step(etcd: EtcdCluster) -> None:
    # Two of three members are gone: no quorum, no membership change.
    for name in ("blue-control-plane-2", "blue-control-plane-3"):
        os.kill(etcd.procs[name].pid, signal.SIGKILL)
        etcd.procs[name].wait(timeout=10)
    result = run_delete(etcd.box, leave(2), netns=etcd.netns)
    assert result.returncode != 0
    assert "blue-control-plane-2" in result.stderr.splitlines()[-1]
