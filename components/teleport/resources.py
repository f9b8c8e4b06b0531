"""Teleport resources given to `tctl create -f`: one role per team, the host role, the connector.

Roles are `kind: role, version: v7`; the connector is `kind: github, version: v3` (fields from
api/proto/teleport/legacy/types/types.proto: RoleV6/RoleSpecV6/RoleConditions,
GithubConnectorV3/GithubConnectorSpecV3/TeamRolesMapping).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from components.teleport.server_config import CONNECTOR_NAME

TEAM_LABEL = "team"
"""The node label (and Kubernetes cluster label) that carries a node's team."""
HOST_ROLE = "klustered-host"
ROOT_LOGIN = "root"
MAX_SESSION_TTL = "12h"
SESSION_KINDS = ["ssh", "k8s"]
JOIN_MODES = ["observer", "peer"]
REDACTED = "[redacted]"
"""What the plan's copy of the connector shows instead of the client secret."""

_TEAM = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?\Z")
_KUBE_ALL = [{"kind": "*", "namespace": "*", "name": "*", "verbs": ["*"]}]


def team_role_name(team: str) -> str:
    """The Teleport role of one team's guests."""
    if not _TEAM.match(team):
        raise ValueError(f"team {team!r} is not a DNS label")
    return f"team-{team}"


def _join_sessions(name: str, roles: Sequence[str]) -> list[dict[str, Any]]:
    return [{"name": name, "roles": list(roles), "kinds": SESSION_KINDS, "modes": JOIN_MODES}]


def team_role(team: str, *, all_teams: Sequence[str], session_joining: bool) -> dict[str, Any]:
    """Root on this team's nodes and admin on its cluster; nothing of any other team.

    With `session_joining`, the team may also join (observe, or take part in) the sessions
    of every team, its own included.
    """
    allow: dict[str, Any] = {
        "logins": [ROOT_LOGIN],
        "node_labels": {TEAM_LABEL: team},
        "kubernetes_labels": {TEAM_LABEL: team},
        "kubernetes_groups": ["system:masters"],
        "kubernetes_resources": _KUBE_ALL,
    }
    if session_joining:
        allow["join_sessions"] = _join_sessions(
            f"{team}-joins-teams", [team_role_name(t) for t in all_teams]
        )
    return {
        "kind": "role",
        "version": "v7",
        "metadata": {
            "name": team_role_name(team),
            "description": f"Fixers of team {team}: root on {team}'s nodes, nothing else",
        },
        "spec": {
            "options": {"max_session_ttl": MAX_SESSION_TTL, "forward_agent": False},
            "allow": allow,
            "deny": {},
        },
    }


def host_role(teams: Sequence[str]) -> dict[str, Any]:
    """Root on every node, and joining (observer, peer) every team's sessions."""
    return {
        "kind": "role",
        "version": "v7",
        "metadata": {
            "name": HOST_ROLE,
            "description": "The episode's hosts: every node, and every team's sessions",
        },
        "spec": {
            "options": {"max_session_ttl": MAX_SESSION_TTL, "forward_agent": False},
            "allow": {
                "logins": [ROOT_LOGIN],
                "node_labels": {"*": "*"},
                "kubernetes_labels": {"*": "*"},
                "kubernetes_groups": ["system:masters"],
                "kubernetes_resources": _KUBE_ALL,
                "join_sessions": _join_sessions(
                    "host-joins-teams", [team_role_name(t) for t in teams]
                ),
                "rules": [
                    {"resources": ["session", "session_tracker"], "verbs": ["list", "read"]},
                    {"resources": ["event"], "verbs": ["list", "read"]},
                ],
            },
            "deny": {},
        },
    }


@dataclass(frozen=True)
class ConnectorSpec:
    """The GitHub connector: the OAuth app, and which GitHub team maps to which role."""

    org: str
    client_id: str
    redirect_url: str
    team_slugs: Mapping[str, str]
    """Episode team -> GitHub team slug in `org` whose members get the team's role."""
    host_slug: str
    """GitHub team slug whose members get the host role."""


def github_connector(spec: ConnectorSpec, client_secret: str) -> dict[str, Any]:
    """The connector resource; pass REDACTED as `client_secret` for a copy to show."""
    mappings = [
        {"organization": spec.org, "team": slug, "roles": [team_role_name(team)]}
        for team, slug in spec.team_slugs.items()
    ]
    mappings.append({"organization": spec.org, "team": spec.host_slug, "roles": [HOST_ROLE]})
    return {
        "kind": "github",
        "version": "v3",
        "metadata": {"name": CONNECTOR_NAME},
        "spec": {
            "client_id": spec.client_id,
            "client_secret": client_secret,
            "display": "GitHub",
            "redirect_url": spec.redirect_url,
            "teams_to_roles": mappings,
        },
    }


def redirect_url(public_url: str) -> str:
    """The OAuth callback on the proxy (the GitHub OAuth app's callback URL)."""
    return f"{public_url.rstrip('/')}/v1/webapi/github/callback"


def resource_file_name(doc: Mapping[str, Any]) -> str:
    """`role-team-blue.yaml`, `github-github.yaml`: the file name in the plan."""
    return f"{doc['kind']}-{doc['metadata']['name']}.yaml"


def resource_ref(doc: Mapping[str, Any]) -> str:
    """`role/team-blue`: how tctl names the resource (`tctl rm role/team-blue`)."""
    return f"{doc['kind']}/{doc['metadata']['name']}"


def render_resource(doc: Mapping[str, Any]) -> str:
    """One resource as the YAML document tctl reads."""
    return yaml.safe_dump(dict(doc), sort_keys=False)
