"""The Teleport renderers: server and agent teleport.yaml, roles and the GitHub connector,
each checked against the field tree written from Teleport's own types."""

from __future__ import annotations

import pytest
import yaml

from components.teleport.agent_config import (
    CA_PIN_FILE,
    TOKEN_FILE,
    AgentSpec,
    JoinTarget,
    render_agent_config,
)
from components.teleport.resources import (
    HOST_ROLE,
    REDACTED,
    ConnectorSpec,
    github_connector,
    host_role,
    redirect_url,
    render_resource,
    team_role,
)
from components.teleport.server_config import ServerSpec, render_server_config
from components.teleport.version import TeleportVersion
from tests.kubeadm_v1beta4 import unknown_keys
from tests.teleport_v18 import FILE_CONFIG, ROLE_V7, check_file_config, check_resource

TEAMS = ["blue", "green", "red"]


def test_server_with_a_dns_name_gets_acme_on_443_multiplexed() -> None:
    spec = ServerSpec("teleport.ep42.klustered.live", "teleport.ep42.klustered.live", "o@k.live")
    doc = check_file_config(render_server_config(spec))
    proxy = doc["proxy_service"]
    assert proxy["web_listen_addr"] == "0.0.0.0:443"
    assert proxy["public_addr"] == ["teleport.ep42.klustered.live:443"]
    assert proxy["acme"] == {"enabled": True, "email": "o@k.live"}
    assert doc["auth_service"]["proxy_listener_mode"] == "multiplex"
    assert doc["auth_service"]["authentication"]["type"] == "github"
    assert doc["auth_service"]["authentication"]["connector_name"] == "github"
    assert doc["ssh_service"] == {"enabled": False}


def test_server_without_a_dns_name_serves_its_address_with_no_acme() -> None:
    doc = check_file_config(render_server_config(ServerSpec("klustered-ep42", "203.0.113.7")))
    assert doc["proxy_service"]["public_addr"] == ["203.0.113.7:443"]
    assert "acme" not in doc["proxy_service"]
    assert "https_keypairs" not in doc["proxy_service"]


def test_acme_on_an_ip_address_is_refused() -> None:
    with pytest.raises(ValueError, match="ACME needs a DNS name"):
        ServerSpec("klustered-ep42", "203.0.113.7", acme_email="o@k.live")


def test_a_misspelled_server_field_fails_the_tree() -> None:
    # The tree is not a rubber stamp: a field fileconf.go does not have is reported.
    doc = yaml.safe_load(render_server_config(ServerSpec("c", "203.0.113.7")))
    doc["proxy_service"]["acme_email"] = "o@k.live"
    doc["teleport"]["auth_servers_"] = ["x"]
    assert unknown_keys(doc, FILE_CONFIG) == [
        "teleport.auth_servers_",
        "proxy_service.acme_email",
    ]


def test_agent_joins_through_the_proxy_when_it_has_a_trusted_certificate() -> None:
    target = JoinTarget.for_server("teleport.ep42.klustered.live", acme=True)
    text = render_agent_config(AgentSpec("blue-worker-1", target, {"team": "blue"}))
    doc = check_file_config(text)
    assert doc["teleport"]["proxy_server"] == "teleport.ep42.klustered.live:443"
    assert "auth_server" not in doc["teleport"]


def test_agent_joins_auth_directly_by_ca_pin_behind_a_self_signed_proxy() -> None:
    target = JoinTarget.for_server("203.0.113.7", acme=False)
    doc = check_file_config(
        render_agent_config(AgentSpec("blue-worker-1", target, {"team": "blue"}))
    )
    assert doc["teleport"]["auth_server"] == "203.0.113.7:3025"
    assert doc["teleport"]["ca_pin"] == CA_PIN_FILE
    assert "proxy_server" not in doc["teleport"]


def test_agent_config_names_the_token_file_and_holds_no_token() -> None:
    target = JoinTarget.for_server("203.0.113.7", acme=False)
    labels = {"team": "blue", "node": "blue-control-plane-1"}
    doc = check_file_config(render_agent_config(AgentSpec("blue-control-plane-1", target, labels)))
    assert doc["teleport"]["join_params"] == {"method": "token", "token_name": TOKEN_FILE}
    assert TOKEN_FILE.startswith("/")  # Teleport reads a token from an absolute file path
    assert doc["ssh_service"] == {"enabled": True, "labels": labels}
    assert doc["auth_service"] == {"enabled": False}
    assert doc["proxy_service"] == {"enabled": False}


def test_team_role_matches_only_its_team_with_no_wildcard() -> None:
    doc = check_resource(render_resource(team_role("blue", all_teams=TEAMS, session_joining=False)))
    allow = doc["spec"]["allow"]
    assert doc["metadata"]["name"] == "team-blue"
    assert allow["node_labels"] == {"team": "blue"}
    assert allow["kubernetes_labels"] == {"team": "blue"}
    assert allow["logins"] == ["root"]
    assert "join_sessions" not in allow
    flat = yaml.safe_dump(allow["node_labels"]) + yaml.safe_dump(allow["kubernetes_labels"])
    assert "*" not in flat


def test_session_joining_lets_team_roles_join_every_team() -> None:
    doc = check_resource(render_resource(team_role("blue", all_teams=TEAMS, session_joining=True)))
    (policy,) = doc["spec"]["allow"]["join_sessions"]
    assert policy["roles"] == ["team-blue", "team-green", "team-red"]
    assert policy["modes"] == ["observer", "peer"]


def test_host_role_reaches_every_node_and_joins_every_team() -> None:
    doc = check_resource(render_resource(host_role(TEAMS)))
    allow = doc["spec"]["allow"]
    assert doc["metadata"]["name"] == HOST_ROLE
    assert allow["node_labels"] == {"*": "*"}
    (policy,) = allow["join_sessions"]
    assert policy["roles"] == ["team-blue", "team-green", "team-red"]
    assert set(policy["modes"]) == {"observer", "peer"}


def test_a_misspelled_role_field_fails_the_tree() -> None:
    doc = team_role("blue", all_teams=TEAMS, session_joining=False)
    doc["spec"]["allow"]["node_label"] = {"team": "blue"}
    assert unknown_keys(doc, ROLE_V7) == ["spec.allow.node_label"]


def _connector() -> ConnectorSpec:
    return ConnectorSpec(
        org="klustered-live",
        client_id="Iv1.0123",
        redirect_url=redirect_url("https://teleport.ep42.klustered.live"),
        team_slugs={"blue": "ep42-blue", "green": "ep42-green"},
        host_slug="ep42-hosts",
    )


def test_connector_maps_one_github_team_per_episode_team() -> None:
    doc = check_resource(render_resource(github_connector(_connector(), "s3cr3t")))
    assert doc["spec"]["redirect_url"] == (
        "https://teleport.ep42.klustered.live/v1/webapi/github/callback"
    )
    assert doc["spec"]["teams_to_roles"] == [
        {"organization": "klustered-live", "team": "ep42-blue", "roles": ["team-blue"]},
        {"organization": "klustered-live", "team": "ep42-green", "roles": ["team-green"]},
        {"organization": "klustered-live", "team": "ep42-hosts", "roles": [HOST_ROLE]},
    ]
    assert "endpoint_url" not in doc["spec"]  # not on the Community Edition


def test_the_shown_connector_carries_no_secret() -> None:
    text = render_resource(github_connector(_connector(), REDACTED))
    assert "s3cr3t" not in text
    assert check_resource(text)["spec"]["client_secret"] == REDACTED


def test_version_pins_package_and_channel() -> None:
    version = TeleportVersion.parse("18.8.2")
    assert version.package == "teleport=18.8.2"
    assert version.channel == "stable/v18"
    with pytest.raises(ValueError):
        TeleportVersion.parse("18.8")
