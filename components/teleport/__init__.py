"""Access: one Teleport cluster per episode, GitHub SSO, per-team roles and node agents.

    from components.teleport import GithubTeams, TeleportAgents, TeleportCluster

Public names load their module on first use (the GitHub SDK only when GithubTeams is used).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from components.teleport.agents import (
        AgentNodeArgs,
        TeleportAgents,
        TeleportAgentsArgs,
    )
    from components.teleport.component import (
        GithubSsoArgs,
        TeleportCluster,
        TeleportClusterArgs,
        TeleportHandle,
    )
    from components.teleport.github import (
        GithubTeamArgs,
        GithubTeams,
        GithubTeamsArgs,
    )

_EXPORTS = {
    "AgentNodeArgs": "components.teleport.agents",
    "TeleportAgents": "components.teleport.agents",
    "TeleportAgentsArgs": "components.teleport.agents",
    "GithubSsoArgs": "components.teleport.component",
    "TeleportCluster": "components.teleport.component",
    "TeleportClusterArgs": "components.teleport.component",
    "TeleportHandle": "components.teleport.component",
    "GithubTeamArgs": "components.teleport.github",
    "GithubTeams": "components.teleport.github",
    "GithubTeamsArgs": "components.teleport.github",
}
__all__ = [
    "AgentNodeArgs",
    "GithubSsoArgs",
    "GithubTeamArgs",
    "GithubTeams",
    "GithubTeamsArgs",
    "TeleportAgents",
    "TeleportAgentsArgs",
    "TeleportCluster",
    "TeleportClusterArgs",
    "TeleportHandle",
]


__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)
