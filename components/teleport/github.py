"""The GithubTeams component: one GitHub team per episode team, a membership per guest.

Adding or removing a guest changes one TeamMembership and nothing else: no machine, no
node command, no token. GitHub invites a guest who is not yet in the organization; the
guest has to accept before `tsh login` maps them onto their team's role.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, NotRequired, TypedDict

import pulumi

if TYPE_CHECKING:
    import pulumi_github as github

TYPE = "klustered:teleport:GithubTeams"


class GithubTeamArgs(TypedDict):
    """One GitHub team: its slug (the name we give it) and its members' handles."""

    slug: str
    members: Sequence[str]
    description: str


class GithubTeamsArgs(TypedDict):
    """The organization and its teams."""

    org: str
    teams: Mapping[str, GithubTeamArgs]
    """Key (episode team, or `hosts`) -> team; the key names the Pulumi resources."""
    token: NotRequired[pulumi.Input[str]]
    """A GitHub token allowed to manage the org's teams; absent: GITHUB_TOKEN of the run."""


class GithubTeams(pulumi.ComponentResource):
    """GitHub teams (closed, visible to the org) and their memberships, in one organization."""

    def __init__(
        self, name: str, args: GithubTeamsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        # Imported here: the GitHub SDK loads every one of its modules up front (about
        # 0.15 s), and an episode without Teleport never needs it.
        import pulumi_github as github

        super().__init__(TYPE, name, {}, opts)
        token = args.get("token")
        self.provider = github.Provider(
            f"{name}-provider",
            owner=args["org"],
            token=pulumi.Output.secret(token) if token is not None else None,
            opts=pulumi.ResourceOptions(parent=self),
        )
        child = pulumi.ResourceOptions(parent=self, provider=self.provider)
        # Annotated here, not on the class: the SDK evaluates class annotations, and the
        # GitHub SDK is not imported at module level.
        self.teams: dict[str, github.Team] = {}
        self.memberships: dict[str, list[github.TeamMembership]] = {}
        for key, team in args["teams"].items():
            created = github.Team(
                f"{name}-team-{key}",
                name=team["slug"],
                description=team["description"],
                privacy="closed",
                opts=child,
            )
            self.teams[key] = created
            self.memberships[key] = [
                github.TeamMembership(
                    f"{name}-{key}-member-{handle.lower()}",
                    team_id=created.id,
                    username=handle,
                    role="member",
                    opts=child,
                )
                for handle in team["members"]
            ]
        self.register_outputs({"teams": {k: t["slug"] for k, t in args["teams"].items()}})
