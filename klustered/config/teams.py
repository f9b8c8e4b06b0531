"""`klustered:teams`: one cluster per team, its guests, machine overrides and breaks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from klustered.config.errors import show, show_key
from klustered.config.limits import (
    BREAKS_WHY,
    GUESTS_WHY,
    MAX_BREAKS,
    MAX_GUESTS,
    MAX_WORKERS,
    WORKERS_WHY,
)
from klustered.config.machines import HostConfig, MachinesOverride, check_host_key
from klustered.config.model import ConfigModel, one_of
from klustered.config.names import dns_label, github_handle, team_name

_BREAK_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\Z")
_PATH_MAX = 4096

TARGET_WORDS = ("control-plane", "workers", "all", "api")
Targets = Literal["control-plane", "workers", "all", "api"] | list[str]
ParamValue = str | int | bool


class BreakRef(ConfigModel):
    """One break applied to a team's cluster: a catalog id, a scenario path, or inline."""

    id: str | None = None
    path: str | None = None
    inline: dict[str, Any] | None = None
    targets: Targets | None = None
    params: dict[str, ParamValue] = Field(default_factory=dict)
    rehearse: bool = False

    @field_validator("targets", mode="plain")
    @classmethod
    def _targets(cls, value: object) -> Targets | None:
        # One message for the whole union, instead of one per branch.
        if value is None or (isinstance(value, str) and value in TARGET_WORDS):
            return value  # type: ignore[return-value]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            if not value:
                raise ValueError("an empty list targets no node: name at least one node")
            for name in value:
                dns_label(name, "a node name")
            return value
        raise ValueError(
            f"{show(value)} is not control-plane, workers, all, api or a list of node names"
        )

    @field_validator("params", mode="plain")
    @classmethod
    def _params(cls, value: object) -> dict[str, ParamValue]:
        # One message per param, instead of one per branch of str | int | bool.
        if not isinstance(value, dict):
            raise ValueError(f"{show(value)} is not a mapping of param names to values")
        for key, item in value.items():
            if not isinstance(key, str) or not isinstance(item, str | int | bool):
                raise ValueError(
                    f"{show_key(key)}: {show(item)} is not a string, number or true/false"
                )
        return value

    @field_validator("id")
    @classmethod
    def _id(cls, value: str | None) -> str | None:
        if value is not None and not _BREAK_ID.match(value):
            raise ValueError(f"{show(value)} is not a break id (a lower-case DNS label)")
        return value

    @field_validator("path")
    @classmethod
    def _path(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if not value or len(value) > _PATH_MAX or "\0" in value:
            raise ValueError(f"{show(value)} is not a directory path")
        if re.search(r"[\x00-\x1f\x7f]", value):
            raise ValueError(f"{show(value)} holds a control character")
        return value

    @model_validator(mode="after")
    def _one_source(self) -> BreakRef:
        given = [k for k in ("id", "path", "inline") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of id, path or inline"
                + (f" (got {', '.join(given)})" if given else "")
            )
        return self

    @property
    def label(self) -> str:
        """A short name for messages and resource names."""
        if self.id is not None:
            return self.id
        if self.path is not None:
            return Path(self.path).name
        inline = self.inline or {}
        return str(inline.get("id", "inline"))


class TeamConfig(ConfigModel):
    """One team: its cluster shape, guests, machine overrides and breaks."""

    name: str
    guests: list[str] = Field(default_factory=list)
    control_planes: int = 1
    workers: int = Field(default=1, ge=0)
    machines: MachinesOverride = MachinesOverride()
    worker_machines: MachinesOverride | None = None
    hosts: dict[str, HostConfig] = Field(default_factory=dict)
    """With provider existing: one machine per node, keyed `control-plane-1`, `worker-2`."""
    breaks: list[BreakRef] = Field(default_factory=list)

    @field_validator("hosts", mode="before")
    @classmethod
    def _host_keys(cls, value: object) -> object:
        if isinstance(value, dict):
            for key in value:
                check_host_key(str(key))
        return value

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return team_name(value)

    @field_validator("control_planes", mode="plain")
    @classmethod
    def _control_planes(cls, value: object) -> int:
        # etcd keeps quorum with an odd number of members; 5 tolerates two failures.
        return one_of(value, (1, 3, 5))

    @field_validator("workers")
    @classmethod
    def _workers(cls, value: int) -> int:
        if value > MAX_WORKERS:
            raise ValueError(f"{value} is above {MAX_WORKERS}: {WORKERS_WHY}")
        return value

    @field_validator("breaks", mode="before")
    @classmethod
    def _breaks(cls, value: object) -> object:
        if isinstance(value, list) and len(value) > MAX_BREAKS:
            raise ValueError(f"{len(value)} breaks is more than {MAX_BREAKS}: {BREAKS_WHY}")
        return value

    @field_validator("guests", mode="before")
    @classmethod
    def _guest_count(cls, value: object) -> object:
        if isinstance(value, list) and len(value) > MAX_GUESTS:
            raise ValueError(f"{len(value)} guests is more than {MAX_GUESTS}: {GUESTS_WHY}")
        return value

    @field_validator("guests")
    @classmethod
    def _guests(cls, value: list[str]) -> list[str]:
        for handle in value:
            github_handle(handle)
        lowered = [h.lower() for h in value]
        dupes = sorted({h for h in lowered if lowered.count(h) > 1})
        if dupes:
            raise ValueError(f"{', '.join(show(d) for d in dupes)} listed more than once")
        return value
