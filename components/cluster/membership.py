"""Steps a live control plane (the node's "keeper") runs for another node's membership.

- join-token: before and during a node's join, the bootstrap token is valid; the step
  succeeds once the node has joined (so a failed join re-runs it on the next `up`).
- leave: when the node leaves the stack (or its machine is replaced), drain it, delete its
  Node and, for a control plane, remove its etcd member. It runs as pulumi-command's
  `delete`, so the whole script is in the command string: it holds no secret.

The keeper of every node is control-plane-1, and control-plane-2 for control-plane-1.
"""

from __future__ import annotations

from components.cluster.node_files import phase_script
from components.cluster.pki import validate_bootstrap_token
from components.nodes import NodeRole, NodeSlot

TOKEN_TTL_SECONDS = 24 * 3600
"""A (re)created bootstrap token lives a day, like kubeadm's default."""
TOKEN_MIN_SECONDS = 2 * 3600
"""A token with less left than this is recreated before a join."""
JOIN_WAIT_SECONDS = 1800
"""How long the join-token step waits for the node to join (kubeadm tries twice)."""
DRAIN_TIMEOUT_SECONDS = 120
LEAVE_HEREDOC = "KLUSTERED_LEAVE"


def keeper_of(slot: NodeSlot, control_planes: int) -> NodeSlot | None:
    """The control plane that runs `slot`'s join-token and leave steps, if there is one."""
    first = NodeSlot(slot.team, NodeRole.CONTROL_PLANE, 1)
    if slot != first:
        return first
    if control_planes >= 2:
        return NodeSlot(slot.team, NodeRole.CONTROL_PLANE, 2)
    return None


def render_join_token_step(
    slot: NodeSlot, *, bootstrap_token: str, join_wait_seconds: int = JOIN_WAIT_SECONDS
) -> str:
    """The join-token script for `slot` (secret: it holds the bootstrap token)."""
    return phase_script(
        "join-token.sh",
        {
            "BOOTSTRAP_TOKEN": validate_bootstrap_token(bootstrap_token),
            "NODE_NAME": slot.name,
            "CONTROL_PLANE": "1" if slot.role == NodeRole.CONTROL_PLANE else "0",
            "TOKEN_TTL_SECONDS": str(TOKEN_TTL_SECONDS),
            "TOKEN_MIN_SECONDS": str(TOKEN_MIN_SECONDS),
            "JOIN_WAIT_SECONDS": str(join_wait_seconds),
        },
        title=f"join-token for {slot.name}",
    )


def render_leave_step(slot: NodeSlot, *, node_address: str) -> str:
    """The leave script for `slot`, whose cluster address is `node_address`."""
    return phase_script(
        "leave.sh",
        {
            "NODE_NAME": slot.name,
            "NODE_ADDRESS": node_address,
            "CONTROL_PLANE": "1" if slot.role == NodeRole.CONTROL_PLANE else "0",
            "DRAIN_TIMEOUT_SECONDS": str(DRAIN_TIMEOUT_SECONDS),
        },
        title=f"leave for {slot.name}",
    )


def leave_command(shell: str, script: str) -> str:
    """The delete command: `shell` reading `script` from a quoted here-document."""
    if any(line == LEAVE_HEREDOC for line in script.splitlines()):
        raise ValueError("leave script contains its here-document delimiter")
    return f"{shell} <<'{LEAVE_HEREDOC}'\n{script.rstrip(chr(10))}\n{LEAVE_HEREDOC}\n"


def script_of_leave_command(command: str) -> str:
    """The script inside a command made by `leave_command` (for tests and the plan)."""
    head, _, rest = command.partition(f"<<'{LEAVE_HEREDOC}'\n")
    body, marker, _ = rest.rpartition(f"\n{LEAVE_HEREDOC}\n")
    if not head or not marker:
        raise ValueError("not a leave command")
    return body + "\n"
