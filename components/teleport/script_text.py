"""The Teleport scripts as sent on stdin: shared helpers, then the script, inputs on top."""

from __future__ import annotations

from collections.abc import Mapping

from components.shell import load_script, render_script
from components.teleport.agent_config import CA_PIN_FILE, TOKEN_FILE
from components.teleport.server_config import DIAG_ADDR
from components.teleport.version import TeleportVersion

SCRIPTS_PACKAGE = "components.teleport.scripts"
NODE_LIB = ("components.cluster.scripts", "_lib.sh")
"""The helpers every script a node runs starts with (log, retry, write_file, secret_file)."""
READY_TIMEOUT_SECONDS = 300
"""How long a script waits for Teleport to answer before it fails."""
TOKEN_TTL = "30m"
"""Join tokens live this long: from the token step to the node's agent phase."""
UNIT_FILE = "/etc/systemd/system/teleport.service"
"""klustered's own teleport.service (it overrides the package's unit; a reset removes it)."""
AGENT_PHASE = 15
"""The agent phase runs right after os-prep (10): a guest can reach a node whose kubeadm
fails, and the token's minutes are not spent waiting for image pulls."""


def teleport_script(name: str, env: Mapping[str, str], *, title: str = "") -> str:
    """One Teleport script after the node helpers and Teleport's own, inputs exported on top."""
    parts = []
    for package, part in (NODE_LIB, (SCRIPTS_PACKAGE, "_lib.sh"), (SCRIPTS_PACKAGE, name)):
        lines = load_script(package, part).splitlines()
        if lines and lines[0].startswith("#!"):
            lines = lines[1:]
        parts.append("\n".join(lines))
    text = "\n".join(parts) + "\n"
    shared = {"DIAG_ADDR": DIAG_ADDR, "TELEPORT_UNIT_FILE": UNIT_FILE}
    return render_script(text, {**shared, **env}, title=title or name)


def render_server_script(version: TeleportVersion, config: str, cluster_name: str) -> str:
    """server.sh: install, configure and start the auth + proxy server; wait until it answers."""
    return teleport_script(
        "server.sh",
        {
            "TELEPORT_VERSION": str(version),
            "TELEPORT_CHANNEL": version.channel,
            "TELEPORT_CONFIG": config,
            "CLUSTER_NAME": cluster_name,
            "READY_TIMEOUT": str(READY_TIMEOUT_SECONDS),
        },
    )


def render_token_script(ttl: str = TOKEN_TTL) -> str:
    """join-token.sh: print a fresh node join token and the CA pins (stdout is secret)."""
    return teleport_script(
        "join-token.sh", {"TOKEN_TTL": ttl, "READY_TIMEOUT": str(READY_TIMEOUT_SECONDS)}
    )


def render_resource_script(document: str, ref: str) -> str:
    """resource.sh for one resource (`bash -s -- apply` or `-- remove`)."""
    return teleport_script(
        "resource.sh",
        {
            "RESOURCE_YAML": document,
            "RESOURCE_REF": ref,
            "READY_TIMEOUT": str(READY_TIMEOUT_SECONDS),
        },
        title=f"resource.sh {ref}",
    )


def agent_phase_file(phase: int = AGENT_PHASE) -> str:
    """The agent phase's file name among a node's phases, `15-teleport-agent.sh`."""
    if not 0 <= phase <= 99:
        raise ValueError(f"phase number must be in 0..99, got {phase}")
    return f"{phase:02d}-teleport-agent.sh"


def render_agent_phase(
    *, node: str, version: TeleportVersion, config: str, join_output: str
) -> str:
    """agent.sh for one node with its config and join output embedded (the result is secret)."""
    return teleport_script(
        "agent.sh",
        {
            "TELEPORT_VERSION": str(version),
            "TELEPORT_CHANNEL": version.channel,
            "TELEPORT_CONFIG": config,
            "JOIN_OUTPUT": join_output,
            "TOKEN_FILE": TOKEN_FILE,
            "CA_PIN_FILE": CA_PIN_FILE,
            "READY_TIMEOUT": str(READY_TIMEOUT_SECONDS),
        },
        title=f"{node}: Teleport agent phase",
    )
