"""`klustered:teams`: one cluster per team, its guests, machine overrides and breaks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from klustered.config.errors import show
from klustered.config.machines import MachinesOverride
from klustered.config.model import ConfigModel

_DNS_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
_GITHUB_HANDLE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")

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
        if value is None or value in TARGET_WORDS:
            return value  # type: ignore[return-value]
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
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
                raise ValueError(f"{key}: {show(item)} is not a string, number or true/false")
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
    control_planes: Literal[1, 3, 5] = 1
    workers: int = Field(default=1, ge=0)
    machines: MachinesOverride = MachinesOverride()
    worker_machines: MachinesOverride | None = None
    breaks: list[BreakRef] = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if len(value) > 20:
            raise ValueError(f"{show(value)} is longer than 20 characters")
        if not _DNS_LABEL.match(value):
            raise ValueError(
                f"{show(value)} is not a DNS label (lower-case a-z, 0-9 and '-', "
                "not starting or ending with '-')"
            )
        return value

    @field_validator("guests")
    @classmethod
    def _guests(cls, value: list[str]) -> list[str]:
        for handle in value:
            if not _GITHUB_HANDLE.match(handle):
                raise ValueError(
                    f"{show(handle)} is not a GitHub handle (1-39 of a-z, A-Z, 0-9 and single "
                    "inner '-')"
                )
        lowered = [h.lower() for h in value]
        dupes = sorted({h for h in lowered if lowered.count(h) > 1})
        if dupes:
            raise ValueError(f"{', '.join(dupes)} listed more than once")
        return value
