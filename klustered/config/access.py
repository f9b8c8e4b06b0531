"""`klustered:access`: guest access through Teleport with GitHub SSO.

Without `access.teleport` there is no Teleport cluster and `teams[].guests` gives nobody a
way in (validate warns). The client secret is never echoed in an error message.
"""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from klustered.config.errors import show
from klustered.config.machines import MachinesOverride
from klustered.config.model import ConfigModel

GITHUB_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}\Z")
"""A GitHub user or organization name: 1-39 of a-z, A-Z, 0-9 and single inner '-'."""

DEFAULT_TELEPORT_VERSION = "18.8.2"
"""The Teleport release the episode installs unless `access.teleport.version` says otherwise."""
SUPPORTED_TELEPORT_MAJORS = (17, 18)
"""Majors whose config and resource fields the renderers are checked against."""

SECRET_FIELDS = frozenset({"access.teleport.githubClientSecret"})
"""Field paths whose values never appear in a message."""

_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)\Z")
_CLIENT_ID = re.compile(r"^[A-Za-z0-9._-]{1,100}\Z")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+\Z")


def github_name_error(value: str) -> str | None:
    """Why `value` is not a GitHub user or organization name, or None when it is one."""
    if GITHUB_NAME.match(value):
        return None
    return (
        f"{show(value)} is not a GitHub name (1-39 of a-z, A-Z, 0-9 and single inner '-', "
        "not starting or ending with '-')"
    )


class TeleportConfig(ConfigModel):
    """The episode's Teleport cluster: GitHub OAuth app, ACME, version, machine."""

    github_org: str
    github_client_id: str
    github_client_secret: str | None = None
    acme_email: str
    version: str = DEFAULT_TELEPORT_VERSION
    session_joining: bool = False
    machine: MachinesOverride = MachinesOverride()
    hosts: list[str] = Field(default_factory=list)
    """GitHub handles of the episode's hosts: the host role (every node, join sessions)."""

    @field_validator("github_org")
    @classmethod
    def _org(cls, value: str) -> str:
        problem = github_name_error(value)
        if problem:
            raise ValueError(problem)
        return value

    @field_validator("github_client_id")
    @classmethod
    def _client_id(cls, value: str) -> str:
        if not _CLIENT_ID.match(value):
            raise ValueError(
                f"{show(value)} is not a GitHub OAuth app client ID (letters, digits, '.', '_', "
                "'-')"
            )
        return value

    @field_validator("github_client_secret", mode="plain")
    @classmethod
    def _client_secret(cls, value: object) -> str | None:
        # Never echo the value: this message may reach a terminal or a CI log.
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise ValueError(
                "must be the GitHub OAuth app's client secret as a non-empty string "
                "(set it with `pulumi config set --secret --path "
                "klustered:access.teleport.githubClientSecret`)"
            )
        if any(ord(c) < 33 or ord(c) > 126 for c in value):
            raise ValueError("holds whitespace or a non-printable character")
        return value

    @field_validator("acme_email")
    @classmethod
    def _email(cls, value: str) -> str:
        if not _EMAIL.match(value):
            raise ValueError(f"{show(value)} is not an email address")
        return value

    @field_validator("version")
    @classmethod
    def _version(cls, value: str) -> str:
        match = _VERSION.match(value)
        if not match:
            raise ValueError(f"{show(value)} is not a Teleport release like 18.8.2")
        if int(match.group(1)) not in SUPPORTED_TELEPORT_MAJORS:
            majors = " or ".join(str(m) for m in SUPPORTED_TELEPORT_MAJORS)
            raise ValueError(f"{show(value)} is not supported (Teleport {majors}.x)")
        return value

    @field_validator("hosts")
    @classmethod
    def _hosts(cls, value: list[str]) -> list[str]:
        for handle in value:
            problem = github_name_error(handle)
            if problem:
                raise ValueError(problem)
        lowered = [h.lower() for h in value]
        dupes = sorted({h for h in lowered if lowered.count(h) > 1})
        if dupes:
            raise ValueError(f"{', '.join(dupes)} listed more than once")
        return value

    @property
    def major(self) -> int:
        """The release's major version (the package channel `stable/v<major>`)."""
        return int(self.version.split(".", 1)[0])


class AccessConfig(ConfigModel):
    """Guest access; absent or without `teleport` means no Teleport cluster."""

    teleport: TeleportConfig | None = None
