"""Upper bounds on the size of a stack, each with the reason a user is given."""

from __future__ import annotations

MAX_TEAMS = 24
TEAMS_WHY = (
    "every team is a whole cluster; more makes `pulumi up` run for hours and a preview for minutes"
)
MAX_WORKERS = 26
WORKERS_WHY = "a debugging cluster needs few nodes, and a team's 32-address mesh block holds 26"
MAX_NODES = 100
NODES_WHY = (
    "each node is about ten resources (machine, bootstrap phases); more than 100 nodes "
    "makes a preview take minutes and exceeds default cloud quotas"
)
MAX_GUESTS = 50
GUESTS_WHY = "each guest is a GitHub team membership; a fixing team is a handful of people"
MAX_BREAKS = 20
BREAKS_WHY = "each break runs its lifecycle (minutes of verify loops) during `pulumi up`"
