"""The Pulumi program: read and validate the stack's config once, then build the Episode."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import config as runtime_config

from klustered.config import NAMESPACE, StackConfig, check_stack_config
from klustered.episode import Episode, EpisodeArgs


def raw_stack_config(namespace: str | None = None) -> dict[str, Any]:
    """Every `<namespace>:*` key the engine passed to this program, JSON values parsed.

    The namespace defaults to the project's name (Pulumi.yaml `name`).
    """
    namespace = namespace or pulumi.get_project() or NAMESPACE
    merged: dict[str, Any] = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    raw: dict[str, Any] = {}
    for key, value in merged.items():
        if not key.startswith(f"{namespace}:"):
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


def config_keys() -> set[str]:
    """Every config key the engine passed to this program, of any namespace (no values)."""
    return {*runtime_config.get_config_env(), *runtime_config.CONFIG.get()}


def secret_config_keys(raw: dict[str, Any]) -> set[str]:
    """The keys among `raw` the engine passed as secrets."""
    env = set(runtime_config.get_config_secret_keys_env())
    return {key for key in raw if key in env or runtime_config.is_config_secret(key)}


def load_config(base_dir: Path | None = None, namespace: str | None = None) -> StackConfig:
    """The validated stack config; a clean RunError (no traceback) listing every problem.

    Keys are read from `namespace`, by default the project's name. Warnings (the stack is
    valid but something is off) go to the engine's log.
    """
    namespace = namespace or pulumi.get_project() or NAMESPACE
    raw = raw_stack_config(namespace)
    result = check_stack_config(
        raw,
        base_dir,
        stack=pulumi.get_stack(),
        provider_keys=config_keys(),
        secret_keys=secret_config_keys(raw),
        namespace=namespace,
    )
    for warning in result.warnings:
        pulumi.log.warn(str(warning))
    if result.config is None:
        problems = "\n".join(str(e) for e in result.errors)
        raise pulumi.RunError(
            f"the stack's config is invalid ({len(result.errors)} problem(s)):\n{problems}"
        )
    return result.config


def main(base_dir: Path | None = None, namespace: str | None = None) -> Episode:
    """Build the episode for the current stack and export its outputs.

    `base_dir` is the project directory (default: the working directory, where Pulumi runs
    the program); `namespace` the config namespace (default: the project's name).
    """
    config = load_config(base_dir, namespace)
    args: EpisodeArgs = {
        "config": config,
        "base_dir": str(base_dir or Path.cwd()),
        "stack": pulumi.get_stack(),
    }
    if config.ssh_key is not None:
        # Read through the SDK, not from the validated copy: the key keeps its secret flag.
        args["ssh_private_key"] = pulumi.Config(NAMESPACE).get_secret("sshKey")
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
    if episode.dns is not None:
        pulumi.export(
            "dns",
            {
                "zone": episode.dns.dns_name,
                "nameServers": episode.dns.name_servers,
                "dsRecords": episode.dns.ds_records,
                "names": episode.dns.names,
            },
        )
    if config.expires is not None:
        pulumi.export("expires", config.expires.isoformat())
    return episode
