"""The Episode: one stack's teams, each turned into machines, a mesh, a cluster and the app."""

from __future__ import annotations

from typing import Any, TypedDict

import pulumi
import pulumi_tls as tls

from components.mesh.addresses import mesh_addresses
from klustered.config import StackConfig
from klustered.team import Team


class EpisodeArgs(TypedDict):
    """Inputs of an Episode."""

    config: StackConfig
    """The validated stack config."""
    base_dir: str
    """The project directory: break paths in the stack file are relative to it."""


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
        ssh_key = tls.PrivateKey(f"{name}-ssh-key", algorithm="ED25519", opts=child)
        self.ssh_public_key = ssh_key.public_key_openssh

        equinix_projects = sorted(
            {
                machines.equinix_metal.project or ""
                for team in config.teams
                for machines in (
                    config.team_machines(team),
                    config.team_machines(team, worker=True),
                )
                if machines.provider == "equinix-metal"
            }
        )
        equinix_keys: dict[str, Any] = {}
        if equinix_projects:
            # Imported only for stacks that use it: the 2021 SDK does not load on 3.12+.
            from components.machines.equinix_metal import project_ssh_key
        for project in equinix_projects:
            equinix_keys[project] = project_ssh_key(
                f"{name}-ssh-key-{project}"
                if len(equinix_projects) > 1
                else f"{name}-ssh-key-metal",
                project,
                self.ssh_public_key,
                self,
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
                    "ssh_private_key": ssh_key.private_key_openssh,
                    "equinix_keys": equinix_keys,
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
