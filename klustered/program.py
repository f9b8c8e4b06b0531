"""The Pulumi program: read and validate the stack's config once, then build the Episode."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import config as runtime_config

from klustered.config import NAMESPACE, StackConfig, check_stack_config
from klustered.episode import Episode, EpisodeArgs


def raw_stack_config() -> dict[str, Any]:
    """Every `klustered:*` key the engine passed to this program, JSON values parsed."""
    merged: dict[str, Any] = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    raw: dict[str, Any] = {}
    for key, value in merged.items():
        if not key.startswith(f"{NAMESPACE}:"):
            continue
        raw[key] = _parse(value)
    return raw


def _parse(value: Any) -> Any:
    """Objects arrive as JSON text; plain strings stay as they are."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def load_config(base_dir: Path | None = None) -> StackConfig:
    """The validated stack config; a clean RunError (no traceback) listing every problem.

    Warnings (the stack is valid but something is off) go to the engine's log.
    """
    result = check_stack_config(raw_stack_config(), base_dir, stack=pulumi.get_stack())
    for warning in result.warnings:
        pulumi.log.warn(str(warning))
    if result.config is None:
        problems = "\n".join(str(e) for e in result.errors)
        raise pulumi.RunError(
            f"the stack's config is invalid ({len(result.errors)} problem(s)):\n{problems}"
        )
    return result.config


def main(base_dir: Path | None = None) -> Episode:
    """Build the episode for the current stack and export its outputs."""
    config = load_config(base_dir)
    args: EpisodeArgs = {
        "config": config,
        "base_dir": str(base_dir or Path.cwd()),
        "stack": pulumi.get_stack(),
    }
    github_token = pulumi.Config("github").get_secret("token")
    if github_token is not None:
        args["github_token"] = github_token
    episode = Episode("episode", args)
    pulumi.export("sshPublicKey", episode.ssh_public_key)
    if episode.teleport is not None and episode.teleport_machine is not None:
        pulumi.export(
            "access",
            {
                "url": episode.teleport.public_url,
                "publicIp": episode.teleport_machine.public_ip,
                "console": episode.teleport_machine.console,
            },
        )
    pulumi.export(
        "teams",
        {
            name: {
                "apiEndpoint": team.cluster.api_endpoint,
                "appUrl": team.app_url,
                "kubeconfig": team.cluster.kubeconfig,
                "nodes": [
                    {
                        "name": node.name,
                        "role": node.role,
                        "publicIp": node.public_ip,
                        "clusterIp": node.cluster_ip,
                        "console": node.console,
                    }
                    for node in team.nodes
                ],
            }
            for name, team in episode.teams.items()
        },
    )
    if config.expires is not None:
        pulumi.export("expires", config.expires.isoformat())
    return episode
