"""A stand-in API for the goal check: a kubectl that answers from a cluster state in files.

`FakeCluster` writes a consistent set of objects (Deployment, ReplicaSets, Pods,
EndpointSlices) as the API would return them, plus the /readyz answer and whether writes
succeed; tests then make one thing wrong. The kubectl stand-in records every call (argv
and any stdin) to calls.jsonl. Apps are local HTTP servers whose page tests switch.
"""

from __future__ import annotations

import http.server
import json
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

QUOTE_BODY = (
    '<center><div style="font-size: 20px"><strong>Fight for your limits and sure enough '
    'their yours</strong> by <a target="_blank" href="https://twitter.com/mauilion">'
    "Duffie's Mom</a></div></center>"
)


def page(version: str, body: str = QUOTE_BODY) -> str:
    """A page shaped like the app's own (000-workload/src/main.rs): `<version> | Klustered`."""
    return f"<html><head><title>{version} | Klustered</title></head><body>{body}</body></html>"


class App:
    """A local HTTP server playing one app pod: serves `page` with `status`."""

    def __init__(self, text: str) -> None:
        self.page = text
        self.status = 200
        app = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = app.page.encode("ascii")
                self.send_response(app.status)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self.server.server_address[1])
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


KUBECTL = '''\
#!{python}
"""kubectl stand-in: answers the goal check's calls from {state}."""
import json, sys
from pathlib import Path

state = Path({state!r})
argv = sys.argv[1:]
stdin = sys.stdin.read() if "-" in argv else ""
with (state / "calls.jsonl").open("a") as log:
    log.write(json.dumps({{"argv": argv, "stdin": stdin}}) + "\\n")
words, i = [], 0
while i < len(argv):
    a = argv[i]
    if a in ("-n", "-o", "-l", "-f"):
        i += 2
        continue
    if a.startswith("-"):
        i += 1
        continue
    words.append(a)
    i += 1

def answer(name):
    f = state / name
    if not f.exists():
        sys.stderr.write("Error from server (NotFound)\\n")
        sys.exit(1)
    sys.stdout.write(f.read_text())

if words[:1] == ["get"] and "--raw" in argv:
    answer("readyz")
elif words[:1] == ["create"]:
    sys.exit(0 if (state / "writes-ok").exists() else 1)
elif words[:2] == ["delete", "configmap"]:
    sys.exit(0)
elif words[:2] == ["get", "deployment"]:
    answer("deployment.json")
elif words[:2] == ["get", "replicasets"]:
    answer("replicasets.json")
elif words[:2] == ["get", "pods"]:
    answer("pods.json")
elif words[:2] == ["get", "endpointslices"]:
    answer("slices.json")
else:
    sys.stderr.write("kubectl stand-in: unexpected call %r\\n" % (argv,))
    sys.exit(2)
'''


def _list(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "List", "items": items}


@dataclass
class FakeCluster:
    """The API's view of the app: `replicas` pods of Deployment klustered behind its Service."""

    root: Path
    image: str
    replicas: int = 2
    apps: list[App] = field(default_factory=list)
    deployment: dict[str, Any] = field(default_factory=dict)
    replicasets: list[dict[str, Any]] = field(default_factory=list)
    pods: list[dict[str, Any]] = field(default_factory=list)
    slices: list[dict[str, Any]] = field(default_factory=list)
    readyz: str | None = "ok"
    writes_ok: bool = True
    deployment_exists: bool = True

    def __post_init__(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.bin = self.root / "bin"
        self.bin.mkdir(exist_ok=True)
        kubectl = self.bin / "kubectl"
        kubectl.write_text(KUBECTL.format(python=sys.executable, state=str(self.root)))
        kubectl.chmod(0o755)
        self.deployment = {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "klustered", "namespace": "default", "uid": "dep-1",
                         "generation": 3},
            "spec": {
                "replicas": self.replicas,
                "selector": {"matchLabels": {"app": "klustered"}},
                "template": {
                    "metadata": {"labels": {"app": "klustered"}},
                    "spec": {"containers": [{"name": "klustered", "image": self.image}]},
                },
            },
            "status": {
                "observedGeneration": 3,
                "replicas": self.replicas,
                "updatedReplicas": self.replicas,
                "readyReplicas": self.replicas,
                "availableReplicas": self.replicas,
            },
        }  # fmt: skip
        self.replicasets = [self.replicaset("klustered-new", "rs-new", "dep-1", self.image)]

    @staticmethod
    def replicaset(name: str, uid: str, owner: str, image: str) -> dict[str, Any]:
        """A ReplicaSet owned by Deployment uid `owner`."""
        return {
            "kind": "ReplicaSet",
            "metadata": {
                "name": name,
                "uid": uid,
                "ownerReferences": [{"kind": "Deployment", "uid": owner, "controller": True}],
            },
            "spec": {"template": {"spec": {"containers": [{"name": "klustered", "image": image}]}}},
        }

    def add_pod(
        self,
        app: App,
        *,
        owner: str | None = "rs-new",
        image: str | None = None,
        ready: bool = True,
        name: str | None = None,
    ) -> None:
        """A pod served by `app`, owned by ReplicaSet uid `owner`, behind the Service."""
        self.apps.append(app)
        name = name or f"klustered-{len(self.pods)}"
        refs = [{"kind": "ReplicaSet", "uid": owner, "controller": True}] if owner else []
        self.pods.append(
            {
                "kind": "Pod",
                "metadata": {"name": name, "ownerReferences": refs, "labels": {"app": "klustered"}},
                "spec": {"containers": [{"name": "klustered", "image": image or self.image}]},
            }
        )
        self.slices.append({
            "kind": "EndpointSlice",
            "metadata": {"name": f"klustered-{app.port}",
                         "labels": {"kubernetes.io/service-name": "klustered"}},
            "addressType": "IPv4",
            "ports": [{"name": "", "port": app.port, "protocol": "TCP"}],
            "endpoints": [{
                "addresses": ["127.0.0.1"],
                "conditions": {"ready": ready, "serving": ready, "terminating": False},
                "targetRef": {"kind": "Pod", "name": name, "namespace": "default"},
            }],
        })  # fmt: skip

    def write(self) -> None:
        """Put the state where the kubectl stand-in reads it."""
        files = {
            "deployment.json": self.deployment if self.deployment_exists else None,
            "replicasets.json": _list(self.replicasets),
            "pods.json": _list(self.pods),
            "slices.json": _list(self.slices),
        }
        for name, obj in files.items():
            path = self.root / name
            if obj is None:
                path.unlink(missing_ok=True)
            else:
                path.write_text(json.dumps(obj))
        readyz = self.root / "readyz"
        if self.readyz is None:
            readyz.unlink(missing_ok=True)
        else:
            readyz.write_text(self.readyz)
        flag = self.root / "writes-ok"
        if self.writes_ok:
            flag.touch()
        else:
            flag.unlink(missing_ok=True)

    def calls(self) -> list[dict[str, Any]]:
        """Every kubectl call: {"argv": [...], "stdin": text}."""
        log = self.root / "calls.jsonl"
        if not log.exists():
            return []
        return [json.loads(line) for line in log.read_text().splitlines()]

    def close(self) -> None:
        for app in self.apps:
            app.close()
