"""The Episode: one stack's teams, each turned into machines, a mesh, a cluster and the app."""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_tls as tls

from components.dns.apex import ApexZone
from components.dns.names import api_name, app_name, teleport_name
from components.dns.zone import EpisodeZone, EpisodeZoneArgs
from components.machines.machine import Machine, MachineHost
from components.mesh.addresses import mesh_addresses
from components.teleport.component import TeleportCluster, TeleportClusterArgs
from components.teleport.github import GithubTeamArgs, GithubTeams, GithubTeamsArgs
from klustered.config import DnsConfig, MachinesConfig, StackConfig
from klustered.config.checks.access import HOSTS_TEAM, github_team_slug, teleport_host_name
from klustered.ssh_keys import SECRET_PLACEHOLDER, public_key_of
from klustered.team import Team, TeamArgs
from klustered.team_machines import (
    ProjectKeys,
    create_firewalls,
    create_machine,
    register_project_keys,
)


class EpisodeArgs(TypedDict):
    """Inputs of an Episode."""

    config: StackConfig
    """The validated stack config."""
    base_dir: str
    """The project directory: break paths in the stack file are relative to it."""
    stack: NotRequired[str]
    """The stack's name (the DNS zone `<stack>.<domain>`, GitHub team slugs, the Teleport
    machine's name); default: the running stack."""
    github_token: NotRequired[pulumi.Input[str]]
    """A GitHub token that manages the org's teams (secret); absent: GITHUB_TOKEN."""
    ssh_private_key: NotRequired[pulumi.Input[str] | None]
    """klustered:sshKey (secret) for every machine; absent: the episode generates one."""


def _public_key(private_key: str) -> str:
    # The offline plan of a stack file cannot decrypt {secure: ...}: it sees a placeholder.
    if private_key == SECRET_PLACEHOLDER:
        return "[public key of klustered:sshKey]"
    return public_key_of(private_key)


class Episode(pulumi.ComponentResource):
    """One episode: the automation's SSH key, access (Teleport, GitHub) and a Team per team."""

    ssh_public_key: pulumi.Output[str]
    teams: dict[str, Team]
    teleport: TeleportCluster | None
    teleport_machine: Machine | None
    github: GithubTeams | None
    dns: EpisodeZone | None
    """The episode's signed zone and its names (with `klustered:dns`)."""
    apex: ApexZone | None
    """The apex zone and its DS at the registrar, when this stack manages them."""

    def __init__(
        self, name: str, args: EpisodeArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("klustered:episode:Episode", name, {}, opts)
        config = args["config"]
        stack = args.get("stack") or pulumi.get_stack()
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

        teleport_settings = (
            config.access.teleport.machine.apply(config.machines)
            if config.access.teleport is not None
            else None
        )
        keys = register_project_keys(
            name,
            config,
            name_prefix=stack,
            ssh_public_key=self.ssh_public_key,
            parent=self,
            others=[teleport_settings] if teleport_settings is not None else [],
        )
        addresses = (
            mesh_addresses(
                config.mesh.cidr, [(t.name, t.control_planes, t.workers) for t in config.teams]
            )
            if config.mesh.enabled
            else {}
        )
        self.teleport = None
        self.teleport_machine = None
        self.github = None
        if config.access.teleport is not None and teleport_settings is not None:
            self._access(
                name,
                args=args,
                stack=stack,
                settings=teleport_settings,
                keys=keys,
                ssh_private_key=private_key,
            )
        self.teams = {}
        for team in config.teams:
            team_args: TeamArgs = {
                "team": team,
                "config": config,
                "ssh_public_key": self.ssh_public_key,
                "ssh_private_key": private_key,
                "keys": keys,
                "name_prefix": stack,
                "mesh_addresses": addresses,
                "base_dir": args["base_dir"],
                "teleport": self.teleport.handle if self.teleport else None,
            }
            if config.dns is not None:
                team_args["api_dns_name"] = api_name(team.name, stack, config.dns.domain)
                team_args["app_dns_name"] = app_name(team.name, stack, config.dns.domain)
            self.teams[team.name] = Team(f"{name}-{team.name}", team_args, child)

        self.dns, self.apex = None, None
        outputs: dict[str, Any] = {
            "sshPublicKey": self.ssh_public_key,
            "teleportUrl": self.teleport.public_url if self.teleport else None,
        }
        if config.dns is not None:
            self.dns = self._dns(name, config.dns, stack)
            outputs["dnsZone"] = self.dns.dns_name
        self.register_outputs(outputs)

    def _access(
        self,
        name: str,
        *,
        args: EpisodeArgs,
        stack: str,
        settings: MachinesConfig,
        keys: ProjectKeys,
        ssh_private_key: pulumi.Output[str],
    ) -> None:
        """The Teleport machine and server, and the GitHub teams whose members get in."""
        config = args["config"]
        access = config.access.teleport
        assert access is not None
        self.teleport_machine = machine = create_machine(
            f"{name}-teleport-machine",
            MachineHost(hostname=teleport_host_name(stack), team="teleport", role="teleport"),
            settings,
            name_prefix=stack,
            ssh_public_key=self.ssh_public_key,
            ssh_private_key=ssh_private_key,
            keys=keys,
            parent=self,
        )
        create_firewalls(
            f"{name}-teleport",
            "teleport",
            [settings],
            name_prefix=stack,
            mesh_port=None,
            parent=self,
        )
        slugs = {team.name: github_team_slug(stack, team.name) for team in config.teams}
        host_slug = github_team_slug(stack, HOSTS_TEAM)
        public_host = teleport_name(stack, config.dns.domain) if config.dns is not None else None
        cluster_args: TeleportClusterArgs = {
            "public_ip": machine.public_ip,
            "ssh_user": machine.ssh_user,
            "ssh_private_key": ssh_private_key,
            "machine": machine.resource,
            "version": access.version,
            "cluster_name": public_host or f"klustered-{stack}",
            "acme_email": access.acme_email,
            "github": {
                "org": access.github_org,
                "client_id": access.github_client_id,
                "client_secret": pulumi.Output.secret(access.github_client_secret or ""),
                "team_slugs": slugs,
                "host_slug": host_slug,
            },
            "teams": [team.name for team in config.teams],
            "session_joining": access.session_joining,
        }
        if public_host:
            cluster_args["public_host"] = public_host
        self.teleport = TeleportCluster(
            f"{name}-teleport", cluster_args, pulumi.ResourceOptions(parent=self)
        )
        teams: dict[str, GithubTeamArgs] = {
            team.name: {
                "slug": slugs[team.name],
                "members": list(team.guests),
                "description": f"Guests of team {team.name} in episode {stack}",
            }
            for team in config.teams
        }
        teams[HOSTS_TEAM] = {
            "slug": host_slug,
            "members": list(access.hosts),
            "description": f"Hosts of episode {stack}",
        }
        github_args: GithubTeamsArgs = {"org": access.github_org, "teams": teams}
        token = args.get("github_token")
        if token is not None:
            github_args["token"] = token
        self.github = GithubTeams(
            f"{name}-github", github_args, pulumi.ResourceOptions(parent=self)
        )

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
        zone_args: EpisodeZoneArgs = {
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
        }
        if self.teleport_machine is not None:
            zone_args["teleport_ip"] = self.teleport_machine.public_ip
        return EpisodeZone(f"{name}-dns", zone_args, pulumi.ResourceOptions(parent=self))

    @property
    def rendered_files(self) -> dict[str, pulumi.Output[str]]:
        """Every rendered file, keyed `<team>/<node>/<file>` and `teleport/<file>`."""
        files = {
            f"{team}/{path}": content
            for team, component in self.teams.items()
            for path, content in component.rendered_files.items()
        }
        if self.teleport is not None:
            files.update(
                {f"teleport/{path}": text for path, text in self.teleport.rendered_files.items()}
            )
        return files
