"""The goal check against a stand-in API (a kubectl answering from files) and real HTTP apps.

Every "wrong Deployment" case keeps the page answering with the wanted version and a
seeded quote: the check must still be red, naming the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from components.handles import WorkloadHandle
from components.workload.goal_check import render_goal_check
from tests.goal_fixtures import App, FakeCluster, page

pytestmark = [
    pytest.mark.sandbox,
    pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed"),
    pytest.mark.skipif(shutil.which("timeout") is None, reason="coreutils timeout is missing"),
    pytest.mark.skipif(shutil.which("python3") is None, reason="python3 is not on PATH"),
]

WORKLOAD = WorkloadHandle(image="ghcr.io/rawkodeacademy/klustered:v1")
V2 = "ghcr.io/rawkodeacademy/klustered:v2"


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[FakeCluster]:
    """Two v2 pods of the Deployment behind the Service, and a NodePort app, all green."""
    fake = FakeCluster(tmp_path / "api", image=V2)
    try:
        fake.add_pod(App(page("v2")))
        fake.add_pod(App(page("v2")))
        fake.node_port_app = App(page("v2"))  # type: ignore[attr-defined]
        yield fake
    finally:
        fake.close()
        fake.node_port_app.close()  # type: ignore[attr-defined]


def run_check(
    cluster: FakeCluster, version: str = "v2", **kwargs: object
) -> subprocess.CompletedProcess[str]:
    cluster.write()
    port = cluster.node_port_app.port  # type: ignore[attr-defined]
    script = render_goal_check(
        "127.0.0.1",
        port=port,
        version=version,
        workload=WORKLOAD,
        **kwargs,  # type: ignore[arg-type]
    )
    env = {"PATH": f"{cluster.bin}:{os.environ['PATH']}", "KUBECONFIG": "/nonexistent"}
    return subprocess.run(
        ["bash", "-s"], input=script, capture_output=True, text=True, timeout=60, env=env,
        check=False,
    )  # fmt: skip


def assert_red(result: subprocess.CompletedProcess[str], reason: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    assert reason in result.stderr, result.stderr


def test_the_deployment_serving_v2_everywhere_meets_the_goal(cluster: FakeCluster) -> None:
    result = run_check(cluster)
    assert result.returncode == 0, result.stderr
    assert "goal met" in result.stdout


def test_a_4k_configmap_is_written_then_deleted(cluster: FakeCluster) -> None:
    assert run_check(cluster).returncode == 0
    calls = cluster.calls()
    created = [c for c in calls if "create" in c["argv"]]
    assert len(created) == 1
    doc = json.loads(created[0]["stdin"])
    assert doc["kind"] == "ConfigMap"
    assert len(doc["data"]["payload"]) == 4096
    deleted = [c["argv"] for c in calls if "delete" in c["argv"]]
    assert deleted and deleted[0][-3:-1] == ["configmap", doc["metadata"]["name"]]
    assert all("--request-timeout=10s" in c["argv"] for c in calls)


def test_v1_everywhere_is_green_for_v1_and_red_for_v2(tmp_path: Path) -> None:
    fake = FakeCluster(tmp_path / "api", image=WORKLOAD.image, replicas=1)
    try:
        fake.add_pod(App(page("v1")))
        fake.node_port_app = App(page("v1"))  # type: ignore[attr-defined]
        assert run_check(fake, "v1").returncode == 0
        assert_red(run_check(fake, "v2"), "runs ghcr.io/rawkodeacademy/klustered:v1")
    finally:
        fake.close()
        fake.node_port_app.close()  # type: ignore[attr-defined]


# --- the Deployment is wrong while every page still says v2 with a quote ------------


def test_red_when_the_deployment_is_gone_and_a_bare_pod_serves(cluster: FakeCluster) -> None:
    cluster.deployment_exists = False
    assert_red(run_check(cluster), "the Deployment does not exist")


def test_red_when_the_image_comes_from_another_repository(cluster: FakeCluster) -> None:
    cluster.deployment["spec"]["template"]["spec"]["containers"][0]["image"] = (
        "ghcr.io/someone-else/klustered:v2"
    )
    assert_red(run_check(cluster), "runs ghcr.io/someone-else/klustered:v2")


def test_red_when_scaled_to_zero(cluster: FakeCluster) -> None:
    cluster.deployment["spec"]["replicas"] = 0
    assert_red(run_check(cluster), "wants 0 replicas")


def test_red_when_a_replica_is_not_updated(cluster: FakeCluster) -> None:
    cluster.deployment["status"]["updatedReplicas"] = 1
    assert_red(run_check(cluster), "1 of 2 replicas updated")


def test_red_when_a_replica_is_not_available(cluster: FakeCluster) -> None:
    cluster.deployment["status"]["availableReplicas"] = 1
    cluster.deployment["status"]["unavailableReplicas"] = 1
    assert_red(run_check(cluster), "1 of 2 replicas available")


def test_red_when_an_old_replica_is_left(cluster: FakeCluster) -> None:
    cluster.deployment["status"]["replicas"] = 3
    assert_red(run_check(cluster), "3 of 2 replicas existing")


def test_red_when_the_controller_has_not_seen_the_spec(cluster: FakeCluster) -> None:
    cluster.deployment["metadata"]["generation"] = 4
    assert_red(run_check(cluster), "has not seen its latest spec")


def test_red_when_the_rollout_is_paused(cluster: FakeCluster) -> None:
    cluster.deployment["spec"]["paused"] = True
    assert_red(run_check(cluster), "is paused")


def test_red_when_the_service_also_sends_traffic_to_a_decoy(cluster: FakeCluster) -> None:
    cluster.add_pod(App(page("v2")), owner=None, name="decoy")
    assert_red(run_check(cluster), "(Pod decoy), not to klustered")


def test_red_when_the_service_sends_traffic_to_another_deployment(cluster: FakeCluster) -> None:
    cluster.replicasets.append(FakeCluster.replicaset("other", "rs-other", "dep-2", V2))
    cluster.add_pod(App(page("v2")), owner="rs-other", name="other-pod")
    assert_red(run_check(cluster), "(Pod other-pod), not to klustered")


def test_red_when_an_endpoint_is_not_a_pod(cluster: FakeCluster) -> None:
    cluster.slices[0]["endpoints"][0].pop("targetRef")
    assert_red(run_check(cluster), "(nothing), not to klustered")


def test_red_when_no_endpoint_is_ready(cluster: FakeCluster) -> None:
    for eps in cluster.slices:
        eps["endpoints"][0]["conditions"]["ready"] = False
    assert_red(run_check(cluster), "no ready endpoint")


def test_red_when_a_pod_behind_the_service_runs_another_image(cluster: FakeCluster) -> None:
    cluster.pods[1]["spec"]["containers"][0]["image"] = "ghcr.io/rawkodeacademy/klustered:v1"
    assert_red(run_check(cluster), "runs ghcr.io/rawkodeacademy/klustered:v1")


# --- the API itself -----------------------------------------------------------------


def test_red_when_the_api_is_not_ready(cluster: FakeCluster) -> None:
    cluster.readyz = None
    assert_red(run_check(cluster), "the API server is not ready")


def test_red_when_readyz_answers_something_else(cluster: FakeCluster) -> None:
    cluster.readyz = "[-]etcd failed: reason withheld\nreadyz check failed"
    assert_red(run_check(cluster), "the API server is not ready")


def test_red_when_writes_are_refused(cluster: FakeCluster) -> None:
    cluster.writes_ok = False
    assert_red(run_check(cluster), "the API refuses writes")


# --- every endpoint's page ----------------------------------------------------------


def test_red_when_one_endpoint_still_serves_v1(cluster: FakeCluster) -> None:
    cluster.apps[1].page = page("v1")
    assert_red(run_check(cluster), f"127.0.0.1:{cluster.apps[1].port} is not serving v2")


def test_red_when_one_endpoint_cannot_reach_the_database(cluster: FakeCluster) -> None:
    cluster.apps[0].page = page("v2", "<strong>Failed to connect to database</strong>")
    assert_red(run_check(cluster), "cannot use its database")


def test_red_when_one_endpoint_does_not_answer(cluster: FakeCluster) -> None:
    cluster.apps[0].close()
    assert_red(run_check(cluster), f"no answer from 127.0.0.1:{cluster.apps[0].port}")


# --- the NodePort page alone (check_api=False) --------------------------------------


def test_the_page_alone_wants_the_version_a_quote_and_no_db_error(cluster: FakeCluster) -> None:
    app = cluster.node_port_app  # type: ignore[attr-defined]
    assert run_check(cluster, check_api=False).returncode == 0
    assert cluster.calls() == []
    app.page = page("v2", "")
    assert_red(run_check(cluster, check_api=False), "shows no seeded quote")
    app.page = page("v2", "<p>Failed to query to database</p>")
    assert_red(run_check(cluster, check_api=False), "cannot use its database")
    app.page = page("v2")
    app.status = 503
    assert_red(run_check(cluster, check_api=False), "answered HTTP/1.0 503")


def test_nothing_listening_on_the_node_port_is_red(cluster: FakeCluster) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cluster.node_port_app.close()  # type: ignore[attr-defined]
    cluster.node_port_app = App(page("v2"))  # type: ignore[attr-defined]
    cluster.node_port_app.port = port  # type: ignore[attr-defined]
    assert_red(run_check(cluster), f"no answer from 127.0.0.1:{port}")
