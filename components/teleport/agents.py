"""The TeleportAgents component: one team's node agents, each joined with its own token.

For every node a token step runs on the auth server (`tctl tokens add --type=node`), its
stdout secret and logging off; the node's agent phase gets that output embedded in its
script (secret, sent on stdin) and writes the token to a root-only file. The token step is
re-run only for a new node machine or a new Teleport cluster, so a node added a day later
gets a fresh token while the others keep theirs and are left alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

import pulumi
from pulumi_command import remote

from components.teleport.agent_config import AgentSpec, JoinTarget, render_agent_config
from components.teleport.component import TeleportHandle
from components.teleport.resources import REDACTED
from components.teleport.script_text import (
    AGENT_PHASE,
    agent_phase_file,
    render_agent_phase,
    render_token_script,
)

TYPE = "klustered:teleport:TeleportAgents"


class AgentNodeArgs(TypedDict):
    """One node as its agent sees it."""

    name: str
    labels: Mapping[str, str]
    """SSH service labels: `team` (what roles match) and `node`."""
    instance: pulumi.Input[str]
    """Changes when the node's machine is replaced: the node then gets a new token."""


class TeleportAgentsArgs(TypedDict):
    """One team's nodes and the Teleport server they join."""

    server: TeleportHandle
    nodes: list[AgentNodeArgs]


@dataclass(frozen=True)
class AgentPhase:
    """What the agent gives one node: its bootstrap phase (secret) and its config."""

    file: str
    """`15-teleport-agent.sh`."""
    script: pulumi.Output[str]
    """agent.sh with the join token embedded, to send on stdin (secret)."""
    config: pulumi.Output[str]
    """The agent's teleport.yaml (no secret: the token is a file path)."""


class TeleportAgents(pulumi.ComponentResource):
    """Teleport SSH agents for one team's nodes."""

    nodes: dict[str, AgentPhase]
    rendered_files: dict[str, pulumi.Output[str]]
    """`<node>/teleport.yaml` and `<node>/15-teleport-agent.sh` (token redacted)."""

    def __init__(
        self, name: str, args: TeleportAgentsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, {}, opts)
        server = args["server"]
        phase_file = agent_phase_file(AGENT_PHASE)
        self.nodes = {}
        self.rendered_files = {}
        for node in args["nodes"]:
            node_name = node["name"]
            labels = dict(node["labels"])

            def config_for(
                target: JoinTarget, node_name: str = node_name, labels: dict[str, str] = labels
            ) -> str:
                return render_agent_config(AgentSpec(node_name, target, labels))

            config = server.join_target.apply(config_for)
            token = remote.Command(
                f"{name}-{node_name}-join-token",
                connection=server.connection,
                create=server.shell,
                stdin=pulumi.Output.secret(render_token_script()),
                logging=remote.Logging.NONE,
                add_previous_output_in_env=False,
                triggers=[node["instance"], server.identity],
                opts=pulumi.ResourceOptions(
                    parent=self,
                    depends_on=[server.ready],
                    deleted_with=server.machine,
                    additional_secret_outputs=["stdout", "stderr"],
                ),
            )

            def phase(values: list[Any], node_name: str = node_name) -> str:
                return render_agent_phase(
                    node=node_name, version=server.version, config=values[0], join_output=values[1]
                )

            script: pulumi.Output[str] = pulumi.Output.secret(
                pulumi.Output.all(config, token.stdout).apply(phase)
            )

            def redacted(text: str, node_name: str = node_name) -> str:
                return phase([text, REDACTED], node_name)

            shown = config.apply(redacted)
            self.nodes[node_name] = AgentPhase(file=phase_file, script=script, config=config)
            self.rendered_files[f"{node_name}/teleport.yaml"] = config
            self.rendered_files[f"{node_name}/{phase_file}"] = shown
        self.register_outputs({"nodes": sorted(self.nodes)})
