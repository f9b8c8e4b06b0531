"""Teleport release pinning: the package channel and the exact version to install."""

from __future__ import annotations

import re
from dataclasses import dataclass

_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)\Z")


@dataclass(frozen=True)
class TeleportVersion:
    """An exact Teleport release, e.g. 18.8.2."""

    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, text: str) -> TeleportVersion:
        """`18.8.2` as a TeleportVersion; ValueError for anything else."""
        match = _VERSION.match(text)
        if not match:
            raise ValueError(f"Teleport version {text!r} is not MAJOR.MINOR.PATCH")
        return cls(*(int(part) for part in match.groups()))

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"

    @property
    def channel(self) -> str:
        """The package repository channel holding this release (`stable/v18`)."""
        return f"stable/v{self.major}"

    @property
    def package(self) -> str:
        """The Debian package pin: `teleport=18.8.2`."""
        return f"teleport={self}"
