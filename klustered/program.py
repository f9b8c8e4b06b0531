"""The Pulumi program: read and validate the stack's config once, then build the Episode."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import config as runtime_config

from klustered.config import NAMESPACE, StackConfig, check_stack_config
from klustered.config.secrets import SECRET_PLACEHOLDER
from klustered.episode import Episode, EpisodeArgs

MAX_VALUE_BYTES = 1_000_000
"""The largest config value the program reads (the stack file's own limit)."""


@dataclass(frozen=True)
class StackValues:
    """The stack's config as the engine handed it over: values and which keys are secret."""

    values: dict[str, Any]
    """Every key of every namespace (full keys); `klustered:*` values parsed."""
    secret_keys: frozenset[str]
    """The full keys Pulumi marks secret (encrypted in the stack file)."""


def _key_names() -> list[str]:
    """The full config keys the engine passed (names only; values are read through the SDK)."""
    return sorted({*runtime_config.get_config_env(), *runtime_config.CONFIG.get()})


def project_namespace(namespace: str | None = None) -> str:
    """The config namespace: `namespace`, else the project's name (Pulumi.yaml `name`)."""
    return namespace or pulumi.get_project() or NAMESPACE


def read_stack_config(namespace: str | None = None) -> StackValues:
    """Every config key, the project's values read through `pulumi.Config`, secret keys known.

    The project's namespace is `klustered` unless Pulumi.yaml names the project otherwise.
    Values of other namespaces are not read (their keys still are, to catch a typo'd
    namespace). A key Pulumi marks secret is recorded as such: validation then echoes
    none of its values, and the fields that hold secrets stay `Output.secret`.
    """
    own = project_namespace(namespace)
    config = pulumi.Config(own)
    values: dict[str, Any] = {}
    secret: set[str] = set()
    from_env = set(runtime_config.get_config_secret_keys_env())
    for key in _key_names():
        key_namespace, _, name = key.partition(":")
        if key in from_env or runtime_config.is_config_secret(key):
            secret.add(key)
        if key_namespace != own:
            values[key] = None
            continue
        values[key] = _parse(config.get(name), key in secret)
    return StackValues(values, frozenset(secret))


def _parse(text: str | None, secret: bool) -> Any:
    """Objects and lists arrive as JSON text; anything else is the string as written."""
    if text is None or not text.lstrip().startswith(("{", "[")):
        return text
    if len(text) > MAX_VALUE_BYTES:
        raise pulumi.RunError(
            f"a config value of {len(text)} bytes is more than the {MAX_VALUE_BYTES} allowed"
        )
    try:
        return json.loads(text)
    except ValueError:
        return text if not secret else SECRET_PLACEHOLDER


def load_config(base_dir: Path | None = None, namespace: str | None = None) -> StackConfig:
    """The validated stack config; a clean RunError (no traceback) listing every problem.

    Keys are read from `namespace`, by default the project's name. Warnings (the stack is
    valid but something is off) go to the engine's log. Problems in a secret key are
    reported without its values.
    """
    own = project_namespace(namespace)
    stack = read_stack_config(own)
    result = check_stack_config(
        stack.values,
        base_dir,
        stack=pulumi.get_stack(),
        secret_keys=stack.secret_keys,
        namespace=own,
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
    own = project_namespace(namespace)
    config = load_config(base_dir, own)
    args: EpisodeArgs = {
        "config": config,
        "base_dir": str(base_dir or Path.cwd()),
        "stack": pulumi.get_stack(),
    }
    if config.ssh_key is not None:
        # Read through the SDK, not from the validated copy: the key keeps its secret flag.
        args["ssh_private_key"] = pulumi.Config(own).get_secret("sshKey")
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
        expires = config.expires.isoformat()
        secret = f"{own}:expires" in read_stack_config(own).secret_keys
        pulumi.export("expires", pulumi.Output.secret(expires) if secret else expires)
    return episode
