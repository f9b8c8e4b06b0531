"""The Episode: one stack's teams turned into clusters, access, DNS and breaks."""

from __future__ import annotations

from typing import TypedDict

import pulumi
import pulumi_tls as tls

from klustered.config import StackConfig, TeamConfig


class EpisodeArgs(TypedDict):
    """Inputs of an Episode."""

    config: StackConfig
    """The validated stack config."""


class TeamArgs(TypedDict):
    """Inputs of one team's slice of the episode."""

    team: TeamConfig
    """The team's validated config."""
    config: StackConfig
    """The whole stack config (versions, ranges, machine defaults)."""


class Team(pulumi.ComponentResource):
    """Everything one team gets: its cluster and what is layered onto it."""

    rendered_files: dict[str, pulumi.Output[str]]
    """Files the team's nodes receive, keyed `<node>/<file>` (for the offline plan)."""

    def __init__(
        self, name: str, args: TeamArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("klustered:episode:Team", name, {}, opts)
        self.name = args["team"].name
        self.rendered_files = {}
        self.register_outputs({})


class Episode(pulumi.ComponentResource):
    """One episode: an SSH key for the host's automation and a Team per configured team."""

    ssh_public_key: pulumi.Output[str]
    teams: dict[str, Team]

    def __init__(
        self, name: str, args: EpisodeArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("klustered:episode:Episode", name, {}, opts)
        config = args["config"]
        ssh_key = tls.PrivateKey(
            f"{name}-ssh-key",
            algorithm="ED25519",
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.ssh_public_key = ssh_key.public_key_openssh
        self.teams = {
            team.name: Team(
                f"{name}-{team.name}",
                {"team": team, "config": config},
                pulumi.ResourceOptions(parent=self),
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
