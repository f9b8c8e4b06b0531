"""The goal check script: the app's Deployment, Service, API and page, as fixers see them."""

from __future__ import annotations

import html

from components.handles import WorkloadHandle
from components.shell import load_script, render_script
from components.workload.manifests import SEEDED_QUOTES


def seeded_markers() -> list[str]:
    """Text that shows a seeded quote is on the page (authors, as the app prints them)."""
    markers: list[str] = []
    for _quote, author, _link in SEEDED_QUOTES:
        markers.append(author)
        escaped = html.escape(author)  # in case a later app version escapes HTML
        if escaped != author:
            markers.append(escaped)
    return markers


def goal_eval_source() -> str:
    """The python3 judge of the app's objects that the goal check runs on the node."""
    return load_script("components.workload", "goal_eval.py")


def render_goal_check(
    node_address: str,
    *,
    port: int | None = None,
    version: str = "v2",
    wait_seconds: int = 0,
    workload: WorkloadHandle | None = None,
    check_api: bool = True,
) -> str:
    """The goal check run on control-plane-1; exits 0 only when the goal is met.

    `version` is the tag the app must serve (v1 right after deployment, v2 for the
    episode's goal); the image is the workload's repository with that tag. With
    `check_api` false only the page on `node_address` is judged.
    """
    workload = workload or WorkloadHandle()
    port = workload.node_port if port is None else port
    if not 0 < port < 65536:
        raise ValueError(f"port must be 1-65535, got {port}")
    if wait_seconds < 0:
        raise ValueError("wait_seconds must be >= 0")
    if not version or any(c.isspace() or c in "|\\" for c in version):
        raise ValueError(f"version must be an image tag, got {version!r}")
    env = {
        "NODE_ADDRESS": node_address,
        "NODE_PORT": str(port),
        "EXPECTED_VERSION": version,
        "EXPECTED_IMAGE": workload.image_for(version),
        "NAMESPACE": workload.namespace,
        "DEPLOYMENT": workload.deployment,
        "CONTAINER": workload.container,
        "SERVICE": workload.service,
        "SEEDED_MARKERS": "\n".join(seeded_markers()),
        "GOAL_EVAL": goal_eval_source(),
        "WAIT_SECONDS": str(wait_seconds),
        "CHECK_API": "true" if check_api else "false",
    }
    return render_script(
        load_script("components.workload", "goal_check.sh"), env, title="klustered goal check"
    )
