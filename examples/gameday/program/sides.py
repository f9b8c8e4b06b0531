"""The two sides of the game day as this project's config describes them (`gameday:*`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pulumi

_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,18}[a-z0-9])?$")


@dataclass(frozen=True)
class Side:
    """One team: its name, its break, and where its nodes come from."""

    team: str
    break_id: str
    project: str = ""
    """GCP project (the cloud side)."""
    workers: int = 1
    hosts: tuple[tuple[str, str], ...] = ()
    """(public, private) addresses of the host's machines, control plane first (on-prem)."""
    user: str = "root"


def _side(config: pulumi.Config, key: str) -> dict[str, object]:
    value = config.require_object(key)
    if not isinstance(value, dict):
        raise pulumi.RunError(f"gameday:{key}: must be a mapping")
    team = value.get("team")
    if not isinstance(team, str) or not _LABEL.match(team):
        raise pulumi.RunError(f"gameday:{key}.team: must be a DNS label of at most 20 characters")
    if not isinstance(value.get("break"), str):
        raise pulumi.RunError(f"gameday:{key}.break: a break id from `klustered breaks list`")
    return value


def read_sides(config: pulumi.Config) -> tuple[Side, Side]:
    """The cloud side and the on-prem side; a RunError naming the key when one is wrong."""
    cloud = _side(config, "cloud")
    onprem = _side(config, "onprem")
    project = cloud.get("project")
    if not isinstance(project, str) or not project:
        raise pulumi.RunError("gameday:cloud.project: the GCP project id is required")
    workers = cloud.get("workers", 1)
    if not isinstance(workers, int) or not 0 <= workers <= 5:
        raise pulumi.RunError("gameday:cloud.workers: a number from 0 to 5")
    hosts = onprem.get("hosts")
    if (
        not isinstance(hosts, list)
        or not hosts
        or not all(isinstance(h, dict) and isinstance(h.get("address"), str) for h in hosts)
    ):
        raise pulumi.RunError(
            "gameday:onprem.hosts: [{address, privateAddress}] per machine, control plane first"
        )
    if cloud["team"] == onprem["team"]:
        raise pulumi.RunError("gameday:onprem.team: must differ from gameday:cloud.team")
    return (
        Side(str(cloud["team"]), str(cloud["break"]), project=project, workers=workers),
        Side(
            str(onprem["team"]),
            str(onprem["break"]),
            hosts=tuple((h["address"], str(h.get("privateAddress", h["address"]))) for h in hosts),
            user=str(onprem.get("user", "root")),
        ),
    )
