"""The goal check script: v2 served on the NodePort with a seeded quote and no DB error."""

from __future__ import annotations

import html

from components.shell import load_script, render_script
from components.workload.manifests import NODE_PORT, SEEDED_QUOTES


def seeded_markers() -> list[str]:
    """Text that shows a seeded quote is on the page (authors, as the app prints them)."""
    markers: list[str] = []
    for _quote, author, _link in SEEDED_QUOTES:
        markers.append(author)
        escaped = html.escape(author)  # in case a later app version escapes HTML
        if escaped != author:
            markers.append(escaped)
    return markers


def render_goal_check(
    node_address: str,
    *,
    port: int = NODE_PORT,
    version: str = "v2",
    wait_seconds: int = 0,
) -> str:
    """The goal check for one node address; exits 0 only when the goal is met."""
    if not 0 < port < 65536:
        raise ValueError(f"port must be 1-65535, got {port}")
    if wait_seconds < 0:
        raise ValueError("wait_seconds must be >= 0")
    env = {
        "NODE_ADDRESS": node_address,
        "NODE_PORT": str(port),
        "EXPECTED_VERSION": version,
        "SEEDED_MARKERS": "\n".join(seeded_markers()),
        "WAIT_SECONDS": str(wait_seconds),
    }
    return render_script(
        load_script("components.workload", "goal_check.sh"), env, title="klustered goal check"
    )
