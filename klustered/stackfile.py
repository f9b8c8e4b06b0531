"""Stack files on disk: find `stacks/Pulumi.<stack>.yaml` (or a path) and read its config.

Files are read with `components.strict_yaml` (size, depth and alias limits before anything
is expanded; duplicate and non-string keys refused; scalars as Pulumi reads them).
Secure values (`{secure: v1:...}`) cannot be decrypted without the Pulumi CLI: they are
read as the placeholder "[secret]" and their keys reported as secret.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from components.strict_yaml import DEFAULT_LIMITS, YamlError, load_yaml
from klustered import project
from klustered.config.errors import escape, show
from klustered.config.secrets import SECRET_PLACEHOLDER
from klustered.project import DEFAULT_NAMESPACE, ProjectError, PulumiProject

_STACK_FILE_KEYS = {"config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment"}
_STACK_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}\Z")
"""Pulumi's stack names: letters, digits, `-`, `_` and `.`, at most 100 characters."""
_CONFIG_KEY = re.compile(r"[A-Za-z0-9_.-]+:[A-Za-z0-9_.-]+\Z")
"""A Pulumi config key: `namespace:name`."""


class StackFileError(ValueError):
    """A stack file that cannot be found or read; the message is one escaped line."""

    def __init__(self, message: str) -> None:
        super().__init__(escape(message))


@dataclass(frozen=True)
class StackFile:
    """A stack's config as read from disk."""

    name: str
    path: Path
    project_dir: Path
    """The directory of the project's Pulumi.yaml (break paths are relative to it); the
    stack file's own directory when it is outside any project."""
    config: dict[str, Any]
    """Full keys (`klustered:teams`) to parsed values, secure values replaced."""
    secret_keys: list[str] = field(default_factory=list)
    in_project: bool = True
    namespace: str = DEFAULT_NAMESPACE
    """The project's name: the namespace of its own config keys (`klustered` outside one)."""

    def pulumi_config(self) -> dict[str, str]:
        """The config as the engine hands it to a program: strings, objects as JSON."""
        return {
            key: value if isinstance(value, str) else json.dumps(value)
            for key, value in self.config.items()
        }


def find_project_dir(start: Path | None = None) -> Path:
    """The nearest directory at or above `start` holding a Pulumi.yaml."""
    try:
        return project.find_project_dir(start)
    except ProjectError as exc:
        raise StackFileError(str(exc)) from None


def _read(path: Path) -> Any:
    """A YAML file read within the limits; StackFileError naming the file and line."""
    try:
        size = path.stat().st_size
        if size > DEFAULT_LIMITS.max_bytes:
            raise StackFileError(
                f"{path}: {size} bytes is more than the {DEFAULT_LIMITS.max_bytes} allowed"
            )
        with path.open("rb") as handle:
            data = handle.read(DEFAULT_LIMITS.max_bytes + 1)
    except OSError as exc:
        raise StackFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        return load_yaml(data)
    except YamlError as exc:
        where = f" line {exc.line}" if exc.line else ""
        raise StackFileError(f"{path}:{where}: {exc.reason}") from None


def _project(project_dir: Path) -> tuple[str, Path]:
    """The project's name and its stack directory, from Pulumi.yaml."""
    try:
        found = project.load_project(project_dir)
    except ProjectError as exc:
        raise StackFileError(str(exc)) from None
    return found.name, found.stack_config_dir


def stack_dir(project_dir: Path) -> Path:
    """Where the project's stack files live (Pulumi.yaml's `stackConfigDir`)."""
    return _project(project_dir)[1]


def _checked_ref(ref: str) -> str:
    if not ref or "\0" in ref or len(ref) > 4096:
        raise StackFileError(f"{show(ref)} is not a stack name or a file path")
    return ref


def resolve_stack(
    ref: str, cwd: Path | None = None, *, within: PulumiProject | None = None
) -> tuple[str, Path, Path]:
    """(stack name, stack file, project dir) for a stack name or a stack file path.

    A stack file outside any project (no Pulumi.yaml above it) has its own directory as
    the project directory. `within` (`klustered plan --project`): the stack belongs to
    that project, a name is looked up in its stack directory.
    """
    as_path = Path(_checked_ref(ref))
    if as_path.suffix in (".yaml", ".yml") or as_path.is_file():
        if not as_path.is_file():
            what = "is not a regular file" if as_path.exists() else "no such stack file"
            raise StackFileError(f"{ref}: {what}")
        path = as_path.resolve()
        stem = path.name.removesuffix(path.suffix)
        name = stem.removeprefix("Pulumi.")
        if not _STACK_NAME.match(name):
            raise StackFileError(
                f"{path}: the stack name {show(name)} taken from the file name is not a "
                "Pulumi stack name (letters, digits, '-', '_' and '.', at most 100)"
            )
        if within is not None:
            return name, path, within.directory
        try:
            project_dir = find_project_dir(path.parent)
        except StackFileError:
            project_dir = path.parent
        return name, path, project_dir
    if not _STACK_NAME.match(ref):
        raise StackFileError(
            f"{show(ref)} is not a Pulumi stack name (letters, digits, '-', '_' and '.')"
        )
    if within is not None:
        project_dir, stacks = within.directory, within.stack_config_dir
    else:
        project_dir = find_project_dir(cwd)
        _, stacks = _project(project_dir)
    path = stacks / f"Pulumi.{ref}.yaml"
    if not path.is_file():
        known = sorted(
            p.name.removeprefix("Pulumi.").removesuffix(".yaml")
            for p in stacks.glob("Pulumi.*.yaml")
        )
        raise StackFileError(
            f"no stack {ref!r}: {path} does not exist (stacks: {', '.join(known) or 'none'})"
        )
    return ref, path, project_dir


def _strip_secure(value: Any, key: str, found: set[str]) -> Any:
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            found.add(key)
            return SECRET_PLACEHOLDER
        return {k: _strip_secure(v, key, found) for k, v in value.items()}
    if isinstance(value, list):
        return [_strip_secure(v, key, found) for v in value]
    return value


def load_stack_file(
    ref: str, cwd: Path | None = None, *, within: PulumiProject | None = None
) -> StackFile:
    """Read a stack file by stack name or path; raise StackFileError if it cannot be used.

    Keys without a namespace get the project's (its Pulumi.yaml `name`), as Pulumi does.
    """
    name, path, project_dir = resolve_stack(ref, cwd, within=within)
    in_project = within is not None or project.project_file(project_dir) is not None
    if within is not None:
        namespace = within.name
    elif in_project:
        namespace = _project(project_dir)[0]
    else:
        namespace = DEFAULT_NAMESPACE
    data = _read(path)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise StackFileError(f"{path}: the top level must be a mapping with a config: key")
    unknown = sorted(set(data) - _STACK_FILE_KEYS)
    if unknown:
        raise StackFileError(f"{path}: unknown top-level key(s) {', '.join(unknown)}")
    config = data.get("config") or {}
    if not isinstance(config, dict):
        raise StackFileError(f"{path}: config: must be a mapping of keys to values")
    secrets: set[str] = set()
    parsed: dict[str, Any] = {}
    for given, value in config.items():
        key = given
        if ":" not in key:
            if not in_project:
                raise StackFileError(
                    f"{path}: config key {show(key)} has no namespace and no Pulumi.yaml "
                    "names the project: write it as klustered:<key>"
                )
            key = f"{namespace}:{key}"
        if not _CONFIG_KEY.match(key):
            raise StackFileError(
                f"{path}: config key {show(key)} is not a Pulumi config key "
                "(namespace:name; letters, digits, '-', '_' and '.')"
            )
        if key in parsed:
            raise StackFileError(f"{path}: config key {show(key)} is given twice")
        parsed[key] = _strip_secure(value, key, secrets)
    return StackFile(name, path, project_dir, parsed, sorted(secrets), in_project, namespace)
