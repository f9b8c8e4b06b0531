"""API-level catalog breaks with a kubectl recorder (no API server here).

Each break.sh and solve.sh runs unchanged in the node sandbox as on control-plane-1;
the test checks the kubectl calls each makes and that solve undoes what break did.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from breaks.catalog import load_break, load_catalog
from breaks.render import render_steps
from breaks.scenario import load_scenario
from components.handles import WorkloadHandle
from tests.breaks_fixtures import NodeSandbox, shared_pki
from tests.tools import bwrap_missing

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.sandbox

_WHY = bwrap_missing()

# break id -> (a kubectl call break.sh must make, one solve.sh must make); calls are
# argv prefixes after "kubectl".
EXPECTED: dict[str, tuple[list[str], list[str]]] = {
    "validating-admission-policy-lockout": (
        ["apply", "-f", "-"],
        ["delete", "validatingadmissionpolicy", "namespace-guard"],
    ),
    "limitrange-tiny": (
        ["-n", "default", "apply", "-f", "-"],
        ["-n", "default", "delete", "limitrange", "defaults"],
    ),
    "resourcequota-zero": (
        ["-n", "default", "apply", "-f", "-"],
        ["-n", "default", "delete", "resourcequota", "compute"],
    ),
    "worker-taints": (
        ["taint", "nodes", "-l", "!node-role.kubernetes.io/control-plane", "--overwrite"],
        ["get", "nodes"],
    ),
    "cilium-config-typo": (
        ["-n", "kube-system", "patch", "configmap", "cilium-config", "--type", "merge"],
        ["-n", "kube-system", "get", "configmap", "cilium-config"],
    ),
    "networkpolicy-cuts-database": (
        ["-n", "default", "apply", "-f", "-"],
        ["-n", "default", "delete", "networkpolicy", "allow-database"],
    ),
    "service-selector-typo": (
        ["-n", "default", "patch", "service", "klustered", "--type", "merge", "-p"],
        ["-n", "default", "patch", "service", "klustered", "--type", "merge", "-p"],
    ),
    "coredns-loop": (
        ["-n", "kube-system", "rollout", "restart", "deployment/coredns"],
        ["-n", "kube-system", "get", "configmap", "coredns"],
    ),
    "mutating-webhook-v2-to-v1": (
        ["patch", "mutatingwebhookconfiguration", "image-policy", "--type", "json", "-p"],
        ["delete", "mutatingwebhookconfiguration", "image-policy"],
    ),
    "rbac-replicaset-controller-gutted": (
        ["patch", "clusterrolebinding", "system:controller:replicaset-controller"],
        ["patch", "clusterrolebinding", "system:controller:replicaset-controller"],
    ),
    "validating-webhook-fail-closed": (
        ["apply", "-f", "-"],
        ["delete", "validatingwebhookconfiguration", "pod-policy", "--ignore-not-found"],
    ),
    "apiservice-apps-hijacked": (
        ["patch", "apiservice", "v1.apps", "--type", "merge", "-p"],
        ["patch", "apiservice", "v1.apps", "--type", "merge", "-p"],
    ),
    "kube-proxy-replacement-off": (
        ["-n", "kube-system", "patch", "configmap", "cilium-config", "--type", "merge"],
        ["-n", "kube-system", "get", "configmap", "cilium-config"],
    ),
    "coredns-hosts-override": (
        ["-n", "kube-system", "get", "configmap", "coredns"],
        ["-n", "default", "delete", "pod", "-l", "app=klustered"],
    ),
    "app-dns-policy-default": (
        ["-n", "default", "patch", "deployment", "klustered", "--type", "merge", "-p"],
        ["-n", "default", "patch", "deployment", "klustered", "--type", "merge", "-p"],
    ),
    "image-tag-typo": (
        [
            "-n",
            "default",
            "set",
            "image",
            "deployment/klustered",
            "klustered=ghcr.io/rawkodeacademy/klustered:vl",
        ],
        [
            "-n",
            "default",
            "set",
            "image",
            "deployment/klustered",
            "klustered=ghcr.io/rawkodeacademy/klustered:v1",
        ],
    ),
    "postgres-password-twice": (
        ["-n", "default", "patch", "statefulset/postgresql", "--type", "json", "-p"],
        ["-n", "default", "get", "statefulset/postgresql"],
    ),
    "readiness-probe-wrong-port": (
        ["-n", "default", "patch", "deployment", "klustered", "--type", "json", "-p"],
        ["-n", "default", "get", "deployment", "klustered"],
    ),
}


@pytest.fixture
def node() -> Iterator[NodeSandbox]:
    if _WHY:
        pytest.skip(_WHY)
    root = Path(tempfile.mkdtemp(prefix="klustered-api-"))
    try:
        yield NodeSandbox(root / "node", shared_pki())
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _kubectl_calls(node: NodeSandbox) -> list[list[str]]:
    return [c[1:] for c in node.calls() if c[0] == "kubectl"]


def _made(calls: list[list[str]], prefix: list[str]) -> bool:
    return any(c[: len(prefix)] == prefix for c in calls)


@pytest.mark.parametrize("break_id", sorted(EXPECTED))
def test_api_break_and_solve_drive_kubectl(node: NodeSandbox, break_id: str) -> None:
    steps = render_steps(load_break(break_id))
    want_break, want_solve = EXPECTED[break_id]

    result = node.run(steps["break"])
    assert result.returncode == 0, result.stderr
    assert _made(_kubectl_calls(node), want_break), _kubectl_calls(node)
    for applied in node.applied():
        for doc in yaml.safe_load_all(applied.read_text()):
            assert doc["metadata"]["name"], f"{applied} holds a named object"

    node.clear_calls()
    result = node.run(steps["solve"])
    assert result.returncode == 0, result.stderr
    assert _made(_kubectl_calls(node), want_solve), _kubectl_calls(node)


def test_the_service_selector_typo_is_undone_by_solve(node: NodeSandbox) -> None:
    steps = render_steps(load_break("service-selector-typo"))
    node.run(steps["break"])
    broke = next(c for c in _kubectl_calls(node) if "patch" in c)[-1]
    node.clear_calls()
    node.run(steps["solve"])
    fixed = next(c for c in _kubectl_calls(node) if "patch" in c)[-1]
    assert yaml.safe_load(broke) == {"spec": {"selector": {"app": "klustred"}}}
    assert yaml.safe_load(fixed) == {"spec": {"selector": {"app": "klustered"}}}


def test_every_api_catalog_break_has_a_case() -> None:
    assert {s.id for s in load_catalog() if s.is_api} == set(EXPECTED)


COREFILE = """.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30
    loop
    reload
    loadbalance
}"""


def _applied_corefile(node: NodeSandbox) -> str:
    doc = yaml.safe_load(node.applied()[-1].read_text())
    return str(doc["data"]["Corefile"])


def test_coredns_hosts_block_answers_the_database_name_and_solve_restores_it(
    node: NodeSandbox,
) -> None:
    steps = render_steps(load_break("coredns-hosts-override"))
    node.answer(r"get configmap coredns", COREFILE)
    node.answer(r"get service kubernetes", "10.96.0.1")
    assert node.run(steps["break"]).returncode == 0
    broken = _applied_corefile(node)
    assert broken.index("    hosts {\n       10.96.0.1 postgres.default.svc.cluster.local\n") < (
        broken.index("    kubernetes cluster.local")
    )
    assert (
        broken.replace(
            "    hosts {\n       10.96.0.1 postgres.default.svc.cluster.local\n"
            "       fallthrough\n    }\n",
            "",
        )
        == COREFILE + "\n"
    )
    assert node.run(steps["solve"]).returncode == 0
    assert _applied_corefile(node) == COREFILE + "\n"


def test_the_second_database_password_is_removed_by_its_position(node: NodeSandbox) -> None:
    steps = render_steps(load_break("postgres-password-twice"))
    env = "POSTGRES_USER=postgres\nPOSTGRES_PASSWORD=postgresql123\nPOSTGRES_DB=klustered\n"
    node.answer(r"get statefulset/postgresql", env)
    assert node.run(steps["break"]).returncode == 0
    patch = next(c for c in _kubectl_calls(node) if "patch" in c)[-1]
    assert json.loads(patch)[0]["value"] == {"name": "POSTGRES_PASSWORD", "value": "klustered123"}
    node.clear_calls()
    (node.root / ".sandbox/answers").rename(node.root / ".sandbox/answers.old")
    node.answer(r"get statefulset/postgresql", env + "POSTGRES_PASSWORD=klustered123\n")
    assert node.run(steps["solve"]).returncode == 0
    fix = json.loads(next(c for c in _kubectl_calls(node) if "patch" in c)[-1])
    assert fix == [
        {"op": "test", "path": "/spec/template/spec/containers/0/env/3/value",
         "value": "klustered123"},
        {"op": "remove", "path": "/spec/template/spec/containers/0/env/3"},
    ]  # fmt: skip


def test_database_breaks_follow_the_klusteredbench_baseline(node: NodeSandbox) -> None:
    kb = WorkloadHandle(
        baseline="klusteredbench",
        image="ghcr.io/rawkode-academy/klustered:v1",
        db_workload="deployment/database",
    )
    steps = render_steps(load_break("postgres-password-twice"), workload=kb)
    assert node.run(steps["break"]).returncode == 0
    assert any("deployment/database" in c for c in _kubectl_calls(node))
    steps = render_steps(load_break("image-tag-typo"), workload=kb)
    assert node.run(steps["break"]).returncode == 0
    assert _kubectl_calls(node)[-1][-1] == "klustered=ghcr.io/rawkode-academy/klustered:vl"


KB_SCENARIOS = REPO / "tests/stacks/klusteredbench/scenarios"
KB_WORKLOAD = WorkloadHandle(
    baseline="klusteredbench",
    image="ghcr.io/rawkode-academy/klustered:v1",
    db_workload="deployment/database",
)


def test_a_klusteredbench_level_breaks_three_things_and_solves_them(node: NodeSandbox) -> None:
    steps = render_steps(load_scenario(KB_SCENARIOS / "level-gates"), workload=KB_WORKLOAD)
    result = node.run(steps["break"])
    assert result.returncode == 0, result.stderr
    patched = [c[1:3] for c in _kubectl_calls(node) if c[0] == "patch"]
    assert patched == [
        ["deployment", "database"],
        ["svc", "klustered"],
        ["deployment", "klustered"],
    ]
    node.clear_calls()
    # No app runs here: its last line, waiting for the page to say v2, is a live check.
    solve = steps["solve"].replace("kb_wait 120 kb_app_ok v2", "true")
    result = node.run(solve)
    assert result.returncode == 0, result.stderr
    calls = _kubectl_calls(node)
    assert ["rollout", "status", "deployment/klustered", "--timeout=300s"] in calls
    rolled = json.loads([c for c in calls if c[:2] == ["patch", "deployment"]][-1][-1])
    assert rolled[-1]["value"] == "ghcr.io/rawkode-academy/klustered:v2"
