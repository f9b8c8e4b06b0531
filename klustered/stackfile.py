"""Stack files on disk: find `stacks/Pulumi.<stack>.yaml` (or a path) and read its config.

Secure values (`{secure: v1:...}`) cannot be decrypted without the Pulumi CLI: they are
read as the placeholder "[secret]" and their keys reported as secret.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

SECRET_PLACEHOLDER = "[secret]"
_STACK_FILE_KEYS = {"config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment"}


class StackFileError(ValueError):
    """A stack file that cannot be found or read."""


@dataclass(frozen=True)
class StackFile:
    """A stack's config as read from disk."""

    name: str
    path: Path
    project_dir: Path
    config: dict[str, Any]
    """Full keys (`klustered:teams`) to parsed values, secure values replaced."""
    secret_keys: list[str] = field(default_factory=list)

    def pulumi_config(self) -> dict[str, str]:
        """The config as the engine hands it to a program: strings, objects as JSON."""
        return {
            key: value if isinstance(value, str) else json.dumps(value)
            for key, value in self.config.items()
        }


def find_project_dir(start: Path | None = None) -> Path:
    """The nearest directory at or above `start` holding a Pulumi.yaml."""
    here = (start or Path.cwd()).resolve()
    for candidate in [here, *here.parents]:
        if (candidate / "Pulumi.yaml").is_file():
            return candidate
    raise StackFileError(f"no Pulumi.yaml in {here} or above: run from the project directory")


def _project(project_dir: Path) -> tuple[str, Path]:
    data = yaml.safe_load((project_dir / "Pulumi.yaml").read_text(encoding="utf-8")) or {}
    name = str(data.get("name", "klustered"))
    stacks = project_dir / str(data.get("stackConfigDir", "."))
    return name, stacks


def stack_dir(project_dir: Path) -> Path:
    """Where the project's stack files live (Pulumi.yaml's `stackConfigDir`)."""
    return _project(project_dir)[1]


def resolve_stack(ref: str, cwd: Path | None = None) -> tuple[str, Path, Path]:
    """(stack name, stack file, project dir) for a stack name or a stack file path."""
    as_path = Path(ref)
    if as_path.suffix in (".yaml", ".yml") or as_path.is_file():
        if not as_path.is_file():
            raise StackFileError(f"{ref}: no such stack file")
        path = as_path.resolve()
        stem = path.name.removesuffix(path.suffix)
        name = stem.removeprefix("Pulumi.")
        try:
            project_dir = find_project_dir(path.parent)
        except StackFileError:
            project_dir = path.parent
        return name, path, project_dir
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


def load_stack_file(ref: str, cwd: Path | None = None) -> StackFile:
    """Read a stack file by stack name or path; raise StackFileError if it cannot be used."""
    name, path, project_dir = resolve_stack(ref, cwd)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise StackFileError(f"{path}:{where} not valid YAML") from None
    except UnicodeDecodeError:
        raise StackFileError(f"{path}: not UTF-8 text") from None
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
    for raw_key, value in config.items():
        key = str(raw_key)
        full = key if ":" in key else f"{_project(project_dir)[0]}:{key}"
        parsed[full] = _strip_secure(value, full, secrets)
    return StackFile(name, path, project_dir, parsed, sorted(secrets))
