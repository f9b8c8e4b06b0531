"""The Episode: one stack's teams, each turned into machines, a mesh, a cluster and the app."""

from __future__ import annotations

from typing import NotRequired, TypedDict

import pulumi
import pulumi_tls as tls

from components.mesh.addresses import mesh_addresses
from klustered.config import StackConfig
from klustered.ssh_keys import SECRET_PLACEHOLDER, public_key_of
from klustered.team import Team
from klustered.team_machines import register_project_keys


class EpisodeArgs(TypedDict):
    """Inputs of an Episode."""

    config: StackConfig
    """The validated stack config."""
    base_dir: str
    """The project directory: break paths in the stack file are relative to it."""
    ssh_private_key: NotRequired[pulumi.Input[str] | None]
    """klustered:sshKey (secret) for every machine; absent: the episode generates one."""


def _public_key(private_key: str) -> str:
    # The offline plan of a stack file cannot decrypt {secure: ...}: it sees a placeholder.
    if private_key == SECRET_PLACEHOLDER:
        return "[public key of klustered:sshKey]"
    return public_key_of(private_key)


class Episode(pulumi.ComponentResource):
    """One episode: the automation's SSH key and a Team per configured team."""

    ssh_public_key: pulumi.Output[str]
    teams: dict[str, Team]

    def __init__(
        self, name: str, args: EpisodeArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("klustered:episode:Episode", name, {}, opts)
        config = args["config"]
        child = pulumi.ResourceOptions(parent=self)
        supplied = args.get("ssh_private_key")
        private_key: pulumi.Output[str]
        if supplied is None:
            ssh_key = tls.PrivateKey(f"{name}-ssh-key", algorithm="ED25519", opts=child)
            private_key = pulumi.Output.secret(ssh_key.private_key_openssh)
            self.ssh_public_key = ssh_key.public_key_openssh
        else:
            private_key = pulumi.Output.secret(supplied)
            # The public half is not secret: machines' metadata and the stack output hold it.
            self.ssh_public_key = pulumi.Output.unsecret(private_key.apply(_public_key))
        name_prefix = pulumi.get_stack()
        keys = register_project_keys(
            name, config, name_prefix=name_prefix, ssh_public_key=self.ssh_public_key, parent=self
        )
        addresses = (
            mesh_addresses(
                config.mesh.cidr, [(t.name, t.control_planes, t.workers) for t in config.teams]
            )
            if config.mesh.enabled
            else {}
        )
        self.teams = {
            team.name: Team(
                f"{name}-{team.name}",
                {
                    "team": team,
                    "config": config,
                    "ssh_public_key": self.ssh_public_key,
                    "ssh_private_key": private_key,
                    "keys": keys,
                    "name_prefix": name_prefix,
                    "mesh_addresses": addresses,
                    "base_dir": args["base_dir"],
                },
                child,
            )
            for team in config.teams
        }
        self.register_outputs({"sshPublicKey": self.ssh_public_key})

    @property
    def rendered_files(self) -> dict[str, pulumi.Output[str]]:
        """Every file a node receives, keyed `<team>/<node>/<file>`."""
        return {
            f"{team}/{path}": content
            for team, component in self.teams.items()
            for path, content in component.rendered_files.items()
        }
