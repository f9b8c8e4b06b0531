"""The node-local API load balancer for real: haproxy with the rendered haproxy.cfg in a
network namespace shaped like a node, in front of three stand-in API servers (TLS,
answering /healthz) in namespaces of their own. Clients talk TLS through 127.0.0.1:7445
and verify the API certificate for 127.0.0.1, as kubelet and Cilium do.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from components.cluster.haproxy import LOCAL_API_PORT, render_haproxy_config

pytestmark = pytest.mark.sandbox

SERVER = r"""
import http.server, json, os, ssl, sys
name, address, cert, key, sick = sys.argv[1:6]

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/healthz":
            status, body = (500, b"etcd failed") if os.path.exists(sick) else (200, b"ok")
        else:
            status, body = 200, json.dumps({"server": name}).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

server = http.server.ThreadingHTTPServer((address, 6443), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server.socket = context.wrap_socket(server.socket, server_side=True)
print("ready", flush=True)
server.serve_forever()
"""

CLIENT = r"""
import http.client, json, os, ssl, sys, time
ca, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
pause, timeout = float(sys.argv[4]), float(sys.argv[5])
hold_at, held, go = int(sys.argv[6]), sys.argv[7], sys.argv[8]
context = ssl.create_default_context(cafile=ca)  # verifies the certificate for 127.0.0.1
for i in range(count):
    if i == hold_at:  # between two requests: none is in flight until `go` appears
        open(held, "w").close()
        deadline = time.monotonic() + 60
        while not os.path.exists(go):
            if time.monotonic() > deadline:
                sys.exit("client: never released")
            time.sleep(0.01)
    try:
        conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=timeout)
        conn.request("GET", "/version")
        answer = json.loads(conn.getresponse().read())["server"]
        conn.close()
    except Exception as exc:
        answer = "error: " + type(exc).__name__
    print(answer, flush=True)
    time.sleep(pause)
"""


def _missing() -> str | None:
    if os.geteuid() != 0:
        return "needs root for ip netns"
    for tool in ("ip", "haproxy"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (Debian iproute2, haproxy)"
    return None


def _sh(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True)


def _pem(obj: x509.Certificate | ec.EllipticCurvePrivateKey) -> bytes:
    if isinstance(obj, x509.Certificate):
        return obj.public_bytes(serialization.Encoding.PEM)
    return obj.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _issue(
    ca_key: ec.EllipticCurvePrivateKey, ca_name: x509.Name, address: str
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """An API server certificate with the SANs kubeadm gets from us: 127.0.0.1, localhost."""
    import datetime
    import ipaddress

    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kube-apiserver")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    x509.IPAddress(ipaddress.ip_address(address)),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return cert, key


@dataclass
class Lab:
    """A node namespace running haproxy and three control-plane namespaces with API stand-ins."""

    node: str
    planes: dict[str, tuple[str, str]]
    """name -> (namespace, address)"""
    work: Path
    servers: dict[str, subprocess.Popen[str]] = field(default_factory=dict)
    haproxy: subprocess.Popen[str] | None = None

    def sick(self, name: str) -> Path:
        """Touching this file makes `name`'s /healthz answer 500 (its API is unhealthy)."""
        return self.work / f"{name}.sick"

    def client(
        self, count: int, pause: float = 0.05, timeout: float = 5, hold_at: int = -1
    ) -> subprocess.Popen[str]:
        """A client making `count` requests one after another, printing one line per
        request (the server's name, or `error: <exception>`). With `hold_at`, it stops
        before that request until `release()` (`held()` tells when it has stopped)."""
        return subprocess.Popen(
            [
                "ip", "netns", "exec", self.node, sys.executable, "-c", CLIENT,
                str(self.work / "ca.crt"), str(LOCAL_API_PORT),
                str(count), str(pause), str(timeout),
                str(hold_at), str(self.work / "client-held"), str(self.work / "client-go"),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip

    def held(self, client: subprocess.Popen[str], seconds: float = 60) -> None:
        """Wait until `client` has stopped at its `hold_at` request."""
        deadline = time.monotonic() + seconds
        while not (self.work / "client-held").exists():
            assert client.poll() is None, client.communicate()
            assert time.monotonic() < deadline, "the client never reached its hold"
            time.sleep(0.01)

    def release(self) -> None:
        """Let a held client go on."""
        (self.work / "client-go").touch()

    def requests(self, count: int, pause: float = 0.05, timeout: float = 5) -> list[str]:
        """The answers to `count` requests, one per request."""
        done = self.client(count, pause, timeout)
        out, err = done.communicate(timeout=count * (pause + timeout) + 30)
        assert done.returncode == 0, err
        return out.splitlines()


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[Lab]:
    reason = _missing()
    if reason:
        pytest.skip(reason)
    suffix = uuid.uuid4().hex[:6]
    node = f"k9lbn{suffix}"
    planes = {f"blue-control-plane-{i}": (f"k9lbc{i}{suffix}", f"10.9.{i}.2") for i in (1, 2, 3)}
    namespaces = [node, *(ns for ns, _ in planes.values())]
    created: list[str] = []
    lab = Lab(node, planes, tmp_path)
    try:
        for ns in namespaces:
            added = subprocess.run(["ip", "netns", "add", ns], capture_output=True, check=False)
            if added.returncode:
                pytest.skip("cannot create a network namespace here")
            created.append(ns)
            _sh("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up")
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kubernetes")])
        import datetime

        now = datetime.datetime.now(datetime.UTC)
        ca = (
            x509.CertificateBuilder()
            .subject_name(ca_name)
            .issuer_name(ca_name)
            .public_key(ca_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(ca_key, hashes.SHA256())
        )
        (tmp_path / "ca.crt").write_bytes(_pem(ca))
        for i, (name, (ns, address)) in enumerate(planes.items(), start=1):
            near, far = f"k9a{i}{suffix}", f"k9b{i}{suffix}"
            _sh("ip", "link", "add", near, "type", "veth", "peer", "name", far)
            _sh("ip", "link", "set", near, "netns", node)
            _sh("ip", "link", "set", far, "netns", ns)
            _sh("ip", "netns", "exec", node, "ip", "addr", "add", f"10.9.{i}.1/24", "dev", near)
            _sh("ip", "netns", "exec", node, "ip", "link", "set", near, "up")
            _sh("ip", "netns", "exec", ns, "ip", "addr", "add", f"{address}/24", "dev", far)
            _sh("ip", "netns", "exec", ns, "ip", "link", "set", far, "up")
            cert, key = _issue(ca_key, ca_name, address)
            (tmp_path / f"{name}.crt").write_bytes(_pem(cert))
            (tmp_path / f"{name}.key").write_bytes(_pem(key))
            server = subprocess.Popen(
                [
                    "ip", "netns", "exec", ns, sys.executable, "-c", SERVER, name, address,
                    str(tmp_path / f"{name}.crt"), str(tmp_path / f"{name}.key"),
                    str(lab.sick(name)),
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )  # fmt: skip
            lab.servers[name] = server
            assert server.stdout is not None
            assert server.stdout.readline().strip() == "ready"
        cfg = tmp_path / "haproxy.cfg"
        cfg.write_text(render_haproxy_config([(n, a) for n, (_, a) in planes.items()]))
        lab.haproxy = subprocess.Popen(
            ["ip", "netns", "exec", node, "haproxy", "-db", "-f", str(cfg)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 20
        while lab.requests(1, timeout=2)[0].startswith("error"):
            assert lab.haproxy.poll() is None, lab.haproxy.communicate()[0]
            assert time.monotonic() < deadline, "haproxy never answered"
            time.sleep(0.2)
        yield lab
    finally:
        for proc in [*lab.servers.values(), *([lab.haproxy] if lab.haproxy else [])]:
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
            proc.communicate(timeout=10)
        for ns in created:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, check=False)


def test_requests_through_loopback_reach_every_control_plane(lab: Lab) -> None:
    answers = lab.requests(30)
    assert set(answers) == set(lab.planes), answers


def test_traffic_keeps_flowing_while_control_plane_one_dies(lab: Lab) -> None:
    # cp1 dies between two of the client's requests: a TCP balancer cannot save a request
    # already in flight on a server that dies (its connection just breaks), but every
    # request after that must be answered.
    client = lab.client(count=120, pause=0.05, hold_at=20)
    lab.held(client)  # 20 requests have gone out, cp1 answered its share
    cp1 = lab.servers["blue-control-plane-1"]
    os.kill(cp1.pid, signal.SIGKILL)
    cp1.wait(timeout=10)
    lab.release()
    out, err = client.communicate(timeout=120)
    assert client.returncode == 0, err
    answers = out.splitlines()  # one line per request; an error is `error: <exception>`
    assert len(answers) == 120
    assert [a for a in answers if a.startswith("error")] == []
    assert "blue-control-plane-1" in answers[:20]
    # Once its checks failed (3 x 2s), cp1 gets nothing; the rest is served by cp2 and cp3.
    assert set(answers[-40:]) == {"blue-control-plane-2", "blue-control-plane-3"}


def test_a_control_plane_that_drops_off_the_network_is_taken_out(lab: Lab) -> None:
    ns, _ = lab.planes["blue-control-plane-1"]
    _sh("ip", "netns", "exec", ns, "ip", "link", "set", f"k9b1{ns[-6:]}", "down")
    # Connections to it now time out; its health checks fail within fall x inter + timeout.
    deadline = time.monotonic() + 30
    streak = 0
    while streak < 10:
        assert time.monotonic() < deadline, "haproxy never stopped sending to the dead backend"
        answer = lab.requests(1, pause=0, timeout=1)[0]
        streak = streak + 1 if answer in ("blue-control-plane-2", "blue-control-plane-3") else 0
    answers = lab.requests(40)
    assert [a for a in answers if a not in ("blue-control-plane-2", "blue-control-plane-3")] == []


def test_a_control_plane_failing_healthz_gets_no_traffic(lab: Lab) -> None:
    # TCP still connects and /version still answers: only the /healthz check can tell.
    lab.sick("blue-control-plane-2").touch()
    time.sleep(8)  # fall 3 x inter 2s, plus slack
    answers = lab.requests(30)
    assert "blue-control-plane-2" not in answers
    assert set(answers) == {"blue-control-plane-1", "blue-control-plane-3"}
    lab.sick("blue-control-plane-2").unlink()
    time.sleep(6)  # rise 2 x inter 2s, plus slack
    assert "blue-control-plane-2" in lab.requests(30)
