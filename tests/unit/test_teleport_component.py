"""The Teleport components on their own under the mock engine: with a DNS name (ACME, agents
through the proxy) and without one (self-signed, agents to auth by CA pin)."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
import yaml

from components.dns.names import teleport_name
from components.teleport.agents import TeleportAgents
from components.teleport.component import TeleportCluster, TeleportClusterArgs
from tests.conftest import Runner
from tests.teleport_v18 import check_file_config


def _program(public_host: str | None) -> Any:
    def program() -> Any:
        args: TeleportClusterArgs = {
            "public_ip": "198.51.100.20",
            "ssh_user": "root",
            "ssh_private_key": "not-a-key",
            "version": "18.8.2",
            "cluster_name": public_host or "klustered-ep42",
            "acme_email": "ops@klustered.live",
            "github": {
                "org": "klustered-live",
                "client_id": "Iv1.0123",
                "client_secret": "plain-secret",
                "team_slugs": {"blue": "ep42-blue"},
                "host_slug": "ep42-hosts",
            },
            "teams": ["blue"],
        }
        if public_host:
            args["public_host"] = public_host
        cluster = TeleportCluster("tp", args)
        agents = TeleportAgents(
            "agents",
            {
                "server": cluster.handle,
                "nodes": [{"name": "blue-worker-1", "labels": {"team": "blue"}, "instance": "i-1"}],
            },
        )
        return pulumi.Output.all(
            server=cluster.rendered_files["teleport.yaml"],
            agent=agents.rendered_files["blue-worker-1/teleport.yaml"],
            url=cluster.public_url,
        )

    return program


def test_with_a_dns_name_the_proxy_uses_acme_and_agents_join_through_it(
    offline: Runner,
) -> None:
    run = offline(_program("teleport.ep42.klustered.live"))
    server = check_file_config(run.value["server"])
    agent = check_file_config(run.value["agent"])
    assert server["proxy_service"]["acme"] == {"enabled": True, "email": "ops@klustered.live"}
    assert server["auth_service"]["cluster_name"] == "teleport.ep42.klustered.live"
    assert agent["teleport"]["proxy_server"] == "teleport.ep42.klustered.live:443"
    assert run.value["url"] == "https://teleport.ep42.klustered.live"
    connector = run.named("tp-github-github")
    assert (
        "https://teleport.ep42.klustered.live/v1/webapi/github/callback"
        in (connector.inputs["stdin"])
    )


def test_without_a_dns_name_the_proxy_is_self_signed_and_agents_pin_the_ca(
    offline: Runner,
) -> None:
    run = offline(_program(None))
    server = check_file_config(run.value["server"])
    agent = yaml.safe_load(run.value["agent"])
    assert "acme" not in server["proxy_service"]
    assert server["proxy_service"]["public_addr"] == ["198.51.100.20:443"]
    assert agent["teleport"]["auth_server"] == "198.51.100.20:3025"
    assert run.value["url"] == "https://198.51.100.20"


def test_the_client_secret_is_made_secret_even_when_passed_in_plain_text(
    offline: Runner,
) -> None:
    run = offline(_program(None))
    connector = run.named("tp-github-github")
    assert "stdin" in connector.secret_inputs
    assert "plain-secret" in connector.inputs["stdin"]


def test_a_team_without_a_github_slug_is_refused(offline: Runner) -> None:
    def program() -> None:
        TeleportCluster(
            "tp",
            {
                "public_ip": "198.51.100.20",
                "ssh_user": "root",
                "ssh_private_key": "k",
                "version": "18.8.2",
                "cluster_name": "c",
                "github": {
                    "org": "o",
                    "client_id": "i",
                    "client_secret": "s",
                    "team_slugs": {},
                    "host_slug": "h",
                },
                "teams": ["blue"],
            },
        )

    with pytest.raises(ValueError, match="no GitHub team slug for team"):
        offline(program)


def test_the_public_name_is_teleport_under_the_episode_zone() -> None:
    assert teleport_name("ep42", "klustered.live") == "teleport.ep42.klustered.live"
