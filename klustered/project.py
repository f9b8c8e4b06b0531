"""A Pulumi project on disk: its name (the config namespace), program and stack directory.

Read from `Pulumi.yaml` as the Pulumi CLI reads it: `name`, `runtime`, `main` (the
program's directory or file, default the project directory) and `stackConfigDir` (where
`Pulumi.<stack>.yaml` files live, default the project directory).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components.strict_yaml import DEFAULT_LIMITS, YamlError, load_yaml
from klustered.config.errors import show

DEFAULT_NAMESPACE = "klustered"
"""The config namespace when a stack file has no project around it."""
PROJECT_FILES = ("Pulumi.yaml", "Pulumi.yml")
_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}\Z")
"""A Pulumi project name (the config namespace); `\\Z`: no trailing newline slips in."""


class ProjectError(ValueError):
    """A project directory that cannot be used: no or an unreadable Pulumi.yaml."""


@dataclass(frozen=True)
class PulumiProject:
    """What `Pulumi.yaml` says about a project."""

    directory: Path
    name: str
    """The project's name: the namespace of its config keys (`<name>:teams`)."""
    runtime: str
    main: Path
    """The program: a directory holding `__main__.py`, or a `.py` file."""
    stack_config_dir: Path

    @property
    def program_file(self) -> Path:
        """The Python file Pulumi runs."""
        return self.main / "__main__.py" if self.main.is_dir() else self.main

    @property
    def working_dir(self) -> Path:
        """Where the program runs (its relative paths start here)."""
        return self.main if self.main.is_dir() else self.directory

    def stack_file(self, stack: str) -> Path:
        """Where the config of stack `stack` lives."""
        return self.stack_config_dir / f"Pulumi.{stack}.yaml"

    def stack_names(self) -> list[str]:
        """The stacks that have a file in the stack config directory."""
        return sorted(
            p.name.removeprefix("Pulumi.").removesuffix(".yaml")
            for p in self.stack_config_dir.glob("Pulumi.*.yaml")
        )


def project_file(directory: Path) -> Path | None:
    """The `Pulumi.yaml` (or `Pulumi.yml`) of `directory`, if it has one."""
    for name in PROJECT_FILES:
        if (directory / name).is_file():
            return directory / name
    return None


def find_project_dir(start: Path | None = None) -> Path:
    """The nearest directory at or above `start` holding a Pulumi.yaml."""
    here = (start or Path.cwd()).resolve()
    for candidate in [here, *here.parents]:
        if project_file(candidate) is not None:
            return candidate
    raise ProjectError(f"no Pulumi.yaml in {here} or above: run from the project directory")


def load_project(directory: Path | str) -> PulumiProject:
    """Read `directory/Pulumi.yaml`; ProjectError with a one-line reason if it cannot be used."""
    root = Path(directory).resolve()
    if not root.is_dir():
        what = "not a directory" if root.exists() else "no such project directory"
        raise ProjectError(f"{directory}: {what}")
    path = project_file(root)
    if path is None:
        raise ProjectError(f"{root}: no Pulumi.yaml (not a Pulumi project)")
    try:
        with path.open("rb") as handle:
            raw = handle.read(DEFAULT_LIMITS.max_bytes + 1)
        data: Any = load_yaml(raw)  # bounded: size, depth and aliases checked first
    except OSError as exc:
        raise ProjectError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except YamlError as exc:
        where = f" line {exc.line}" if exc.line else ""
        raise ProjectError(f"{path}:{where}: {exc.reason}") from None
    if not isinstance(data, dict):
        raise ProjectError(f"{path}: must be a mapping with name: and runtime:")
    name = data.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ProjectError(
            f"{path}: name: {show(name)} is not a Pulumi project name "
            "(letters, digits, '_', '.' or '-', at most 100)"
        )
    runtime = data.get("runtime")
    if isinstance(runtime, dict):
        runtime = runtime.get("name")
    if not isinstance(runtime, str):
        raise ProjectError(f"{path}: runtime: must name the language (python)")
    main = _inside(root, data.get("main"), path, "main")
    stacks = _inside(root, data.get("stackConfigDir"), path, "stackConfigDir")
    return PulumiProject(root, name, runtime, main, stacks)


def _inside(root: Path, value: Any, path: Path, key: str) -> Path:
    """A path relative to the project directory; it may not leave it."""
    if value is None:
        return root
    if not isinstance(value, str) or not value:
        raise ProjectError(f"{path}: {key}: must be a path relative to the project")
    resolved = (root / value).resolve()
    if resolved != root and root not in resolved.parents:
        raise ProjectError(f"{path}: {key}: {show(value)} leaves the project directory")
    return resolved
