"""The Episode: one stack's teams, each turned into machines, a mesh, a cluster and the app."""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_tls as tls

from components.dns.apex import ApexZone
from components.dns.names import api_name, app_name
from components.dns.zone import EpisodeZone
from components.mesh.addresses import mesh_addresses
from klustered.config import DnsConfig, StackConfig
from klustered.team import Team, TeamArgs


class EpisodeArgs(TypedDict):
    """Inputs of an Episode."""

    config: StackConfig
    """The validated stack config."""
    base_dir: str
    """The project directory: break paths in the stack file are relative to it."""
    stack: NotRequired[str]
    """The stack's name; with `klustered:dns` the episode zone is `<stack>.<domain>`."""


class Episode(pulumi.ComponentResource):
    """One episode: the automation's SSH key, a Team per configured team, and its DNS."""

    ssh_public_key: pulumi.Output[str]
    teams: dict[str, Team]
    dns: EpisodeZone | None
    """The episode's signed zone and its names (with `klustered:dns`)."""
    apex: ApexZone | None
    """The apex zone and its DS at the registrar, when this stack manages them."""

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
        stack = args.get("stack", "")
        if config.dns is not None and not stack:
            raise ValueError("episode: klustered:dns needs the stack's name (EpisodeArgs stack)")
        self.teams = {}
        for team in config.teams:
            team_args: TeamArgs = {
                "team": team,
                "config": config,
                "ssh_public_key": self.ssh_public_key,
                "ssh_private_key": ssh_key.private_key_openssh,
                "equinix_keys": equinix_keys,
                "mesh_addresses": addresses,
                "base_dir": args["base_dir"],
            }
            if config.dns is not None:
                team_args["api_dns_name"] = api_name(team.name, stack, config.dns.domain)
                team_args["app_dns_name"] = app_name(team.name, stack, config.dns.domain)
            self.teams[team.name] = Team(f"{name}-{team.name}", team_args, child)

        self.dns, self.apex = None, None
        outputs: dict[str, Any] = {"sshPublicKey": self.ssh_public_key}
        if config.dns is not None:
            self.dns = self._dns(name, config.dns, stack)
            outputs["dnsZone"] = self.dns.dns_name
        self.register_outputs(outputs)

    def _dns(self, name: str, dns: DnsConfig, stack: str) -> EpisodeZone:
        """The apex (when this stack manages it) and the episode's zone with every name."""
        parent_zone: pulumi.Input[str] = dns.zone
        if dns.create_apex or dns.registrar != "none":
            self.apex = ApexZone(
                f"{name}-apex",
                {
                    "domain": dns.domain,
                    "zone": dns.zone,
                    "project": dns.project,
                    "create_zone": dns.create_apex,
                    "registrar": dns.registrar,
                },
                pulumi.ResourceOptions(parent=self),
            )
            parent_zone = self.apex.zone_name
        return EpisodeZone(
            f"{name}-dns",
            {
                "stack": stack,
                "domain": dns.domain,
                "parent_zone": parent_zone,
                "project": dns.project,
                "ttl": dns.ttl,
                "teams": [
                    {
                        "team": team_name,
                        "api_ips": list(team.api_ips),
                        "app_ips": list(team.app_ips),
                    }
                    for team_name, team in self.teams.items()
                ],
            },
            pulumi.ResourceOptions(parent=self),
        )

    @property
    def rendered_files(self) -> dict[str, pulumi.Output[str]]:
        """Every file a node receives, keyed `<team>/<node>/<file>`."""
        return {
            f"{team}/{path}": content
            for team, component in self.teams.items()
            for path, content in component.rendered_files.items()
        }
