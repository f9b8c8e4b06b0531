"""The TeleportCluster component: one Teleport auth + proxy server and its resources.

Everything runs over SSH as pulumi-command remote commands on the server's machine, scripts
on stdin: the install (done when `tctl` answers), then one command per Teleport resource
(`tctl create -f` on create and update, removed again on delete). The GitHub client secret
only ever travels on the connector command's stdin, which is secret with logging off.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict

import pulumi
from pulumi_command import remote

from components.machines.machine import root_shell, ssh_connection
from components.teleport.agent_config import JoinTarget
from components.teleport.resources import (
    REDACTED,
    ConnectorSpec,
    github_connector,
    host_role,
    redirect_url,
    render_resource,
    resource_file_name,
    resource_ref,
    team_role,
)
from components.teleport.script_text import render_resource_script, render_server_script
from components.teleport.server_config import CONNECTOR_NAME, ServerSpec, render_server_config
from components.teleport.version import TeleportVersion

TYPE = "klustered:teleport:TeleportCluster"
WAIT_FOR_SSH = "cloud-init status --wait >/dev/null 2>&1 || true"


class GithubSsoArgs(TypedDict):
    """The GitHub OAuth app and the GitHub teams that map to Teleport roles."""

    org: str
    client_id: str
    client_secret: pulumi.Input[str]
    """The OAuth app's client secret: kept secret here whatever the caller passed."""
    team_slugs: Mapping[str, str]
    """Episode team -> slug of the GitHub team whose members are that team's guests."""
    host_slug: str
    """Slug of the GitHub team whose members are the episode's hosts."""


class TeleportClusterArgs(TypedDict):
    """A Teleport server on one machine, reached over SSH."""

    public_ip: pulumi.Input[str]
    """The machine's public address (SSH, and the proxy's address without a DNS name)."""
    ssh_user: str
    ssh_private_key: pulumi.Input[str]
    machine: NotRequired[pulumi.Resource]
    """The machine: commands are deleted with it (no SSH to a vanished host)."""
    version: str
    """The exact Teleport release, e.g. 18.8.2."""
    cluster_name: str
    public_host: NotRequired[str]
    """The proxy's DNS name (ACME certificate); absent: the machine's address, self-signed."""
    acme_email: NotRequired[str]
    github: GithubSsoArgs
    teams: Sequence[str]
    """Every episode team: one role each."""
    session_joining: NotRequired[bool]
    """True: team roles may also join every team's sessions (the host role always may)."""


@dataclass(frozen=True)
class TeleportHandle:
    """What node agents need from the server: where to join, and how to ask for a token."""

    version: TeleportVersion
    connection: remote.ConnectionArgs
    """SSH to the server (the token step runs there)."""
    shell: str
    """The command that runs a script from stdin as root on the server."""
    ready: pulumi.Resource
    """The install step: once it is done, tctl answers."""
    join_target: pulumi.Output[JoinTarget]
    identity: pulumi.Output[str]
    """Changes when the server is a new cluster (new machine or name): tokens are re-issued."""
    machine: pulumi.Resource | None = None


class TeleportCluster(pulumi.ComponentResource):
    """Teleport auth + proxy for one episode, with per-team roles and the GitHub connector."""

    handle: TeleportHandle
    public_url: pulumi.Output[str]
    """https://<public host>: where guests log in (`tsh login --proxy=...`)."""
    rendered_files: dict[str, pulumi.Output[str]]
    """`teleport.yaml` and `resources/<kind>-<name>.yaml` (secrets redacted), for the plan."""

    def __init__(
        self, name: str, args: TeleportClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, {}, opts)
        version = TeleportVersion.parse(args["version"])
        teams = list(args["teams"])
        missing = sorted(set(teams) - set(args["github"]["team_slugs"]))
        if missing:
            raise ValueError(f"teleport: no GitHub team slug for team(s) {', '.join(missing)}")
        public_host = args.get("public_host")
        acme_email = args.get("acme_email") if public_host else None
        cluster_name = args["cluster_name"]
        public_ip = pulumi.Output.from_input(args["public_ip"])

        def spec(ip: str) -> ServerSpec:
            return ServerSpec(
                cluster_name=cluster_name, public_host=public_host or ip, acme_email=acme_email
            )

        server_spec = public_ip.apply(spec)
        config = server_spec.apply(render_server_config)
        self.public_url = server_spec.apply(lambda s: s.public_url)
        self.rendered_files = {"teleport.yaml": config}

        machine = args.get("machine")
        key = pulumi.Output.secret(args["ssh_private_key"])
        connection = ssh_connection(public_ip, args["ssh_user"], key)
        shell = root_shell(args["ssh_user"])

        def command(step: str, **kwargs: Any) -> remote.Command:
            secret = kwargs.pop("secret", False)
            return remote.Command(
                f"{name}-{step}",
                connection=connection,
                logging=remote.Logging.NONE if secret else remote.Logging.STDOUT_AND_STDERR,
                add_previous_output_in_env=False,
                opts=pulumi.ResourceOptions(
                    parent=self,
                    depends_on=kwargs.pop("after", []),
                    deleted_with=machine,
                    additional_secret_outputs=["stdout", "stderr"] if secret else None,
                ),
                **kwargs,
            )

        wait = command("wait-for-ssh", create=WAIT_FOR_SSH)
        install = command(
            "install",
            create=shell,
            stdin=config.apply(lambda text: render_server_script(version, text, cluster_name)),
            after=[wait],
        )

        # Roles first, then the connector that maps GitHub teams onto them.
        roles = [
            team_role(team, all_teams=teams, session_joining=args.get("session_joining", False))
            for team in teams
        ]
        roles.append(host_role(teams))
        role_commands = []
        for doc in roles:
            text = render_resource(doc)
            self.rendered_files[f"resources/{resource_file_name(doc)}"] = pulumi.Output.from_input(
                text
            )
            role_commands.append(
                command(
                    f"{doc['kind']}-{doc['metadata']['name']}",
                    create=f"{shell} -- apply",
                    delete=f"{shell} -- remove",
                    stdin=render_resource_script(text, resource_ref(doc)),
                    after=[install],
                )
            )

        sso = args["github"]
        connector_spec = self.public_url.apply(
            lambda url: ConnectorSpec(
                org=sso["org"],
                client_id=sso["client_id"],
                redirect_url=redirect_url(url),
                team_slugs={team: sso["team_slugs"][team] for team in teams},
                host_slug=sso["host_slug"],
            )
        )
        shown = connector_spec.apply(lambda s: render_resource(github_connector(s, REDACTED)))
        self.rendered_files[f"resources/github-{CONNECTOR_NAME}.yaml"] = shown
        secret = pulumi.Output.secret(sso["client_secret"])
        connector_stdin: pulumi.Output[str] = pulumi.Output.secret(
            pulumi.Output.all(connector_spec, secret).apply(
                lambda v: render_resource_script(
                    render_resource(github_connector(v[0], v[1])),
                    f"github/{CONNECTOR_NAME}",
                )
            )
        )
        command(
            f"github-{CONNECTOR_NAME}",
            create=f"{shell} -- apply",
            delete=f"{shell} -- remove",
            stdin=connector_stdin,
            secret=True,
            after=[install, *role_commands],
        )

        self.handle = TeleportHandle(
            version=version,
            connection=connection,
            shell=shell,
            ready=install,
            join_target=server_spec.apply(
                lambda s: JoinTarget.for_server(s.public_host, acme=s.acme)
            ),
            identity=public_ip.apply(lambda ip: f"{cluster_name}@{ip}"),
            machine=machine,
        )
        self.register_outputs({"publicUrl": self.public_url, "clusterName": cluster_name})
