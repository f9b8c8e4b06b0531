"""The mutating-webhook break's server (shipped inside break.sh) rewrites v2 to v1.

The server code is taken from the ConfigMap break.sh applies and run here over real
TLS with a throwaway certificate; the test posts AdmissionReviews to it.
"""

from __future__ import annotations

import base64
import json
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from breaks.catalog import CATALOG_DIR

pytestmark = pytest.mark.sandbox


def _server_code() -> str:
    script = (CATALOG_DIR / "mutating-webhook-v2-to-v1" / "break.sh").read_text()
    manifests = script.split("<<'YAML'\n", 1)[1].split("\nYAML\n", 1)[0]
    config_map = next(d for d in yaml.safe_load_all(manifests) if d["kind"] == "ConfigMap")
    return str(config_map["data"]["server.py"])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def webhook(tmp_path: Path) -> Iterator[str]:
    openssl = subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
            "-keyout", str(tmp_path / "tls.key"), "-out", str(tmp_path / "tls.crt"),
            "-subj", "/CN=localhost", "-days", "1",
        ],
        capture_output=True,
        check=False,
    )  # fmt: skip
    if openssl.returncode != 0:
        pytest.skip("openssl is not installed")
    (tmp_path / "server.py").write_text(_server_code())
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, str(tmp_path / "server.py")],
        env={"PORT": str(port), "TLS_DIR": str(tmp_path)},
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "webhook server did not start"
                time.sleep(0.1)
        yield f"https://127.0.0.1:{port}/mutate"
    finally:
        proc.kill()
        proc.wait(timeout=10)


def _review(url: str, image: str) -> dict[str, object]:
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "spec": {"template": {"spec": {"containers": [{"name": "klustered", "image": image}]}}},
    }
    body = json.dumps(
        {
            "apiVersion": "admission.k8s.io/v1",
            "kind": "AdmissionReview",
            "request": {"uid": "abc-123", "object": deployment},
        }
    ).encode()
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, context=context, timeout=10) as answer:
        review: dict[str, object] = json.loads(answer.read())
    return review


def test_v2_images_are_patched_back_to_v1(webhook: str) -> None:
    review = _review(webhook, "ghcr.io/rawkode-academy/klustered:v2")
    response = review["response"]
    assert isinstance(response, dict)
    assert response["uid"] == "abc-123"
    assert response["allowed"] is True
    assert response["patchType"] == "JSONPatch"
    assert json.loads(base64.b64decode(response["patch"])) == [
        {
            "op": "replace",
            "path": "/spec/template/spec/containers/0/image",
            "value": "ghcr.io/rawkode-academy/klustered:v1",
        }
    ]


def test_other_images_pass_unchanged(webhook: str) -> None:
    response = _review(webhook, "ghcr.io/rawkode-academy/klustered:v1")["response"]
    assert isinstance(response, dict)
    assert response == {"uid": "abc-123", "allowed": True}
