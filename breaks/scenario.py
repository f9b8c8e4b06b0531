"""The scenario format: scenario.yaml plus scripts, a superset of KlusteredBench's layout.

A KlusteredBench scenario directory (id, title, difficulty, tags, source, timeout,
nodeLevel, prompt, solution, scripts) loads unchanged. Our additions: layer, targets,
hints, params, credit, unicode (an exception to the ASCII rule) and secret.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from breaks.sources import (
    MAX_SCRIPT_BYTES,
    MAX_SPEC_BYTES,
    SourceError,
    check_directory,
    check_script_name,
    read_source,
)
from components.strict_yaml import YamlError, load_yaml

SCRIPT_KINDS = ("setup", "break", "verify", "solve", "invariants")
"""Every script a scenario may hold, in lifecycle order."""

DEFAULT_SCRIPT_FILES: dict[str, str] = {kind: f"{kind}.sh" for kind in SCRIPT_KINDS}
REQUIRED_SCRIPTS = ("break", "solve")
SCENARIO_FILE = "scenario.yaml"

SECRET_DIRECTORY = (
    "secret: true, but a directory's scripts are plain text: keep a secret break inline "
    "in the stack file, its files encrypted (pulumi config set --secret --path ...)"
)

PARAM_ENV_PREFIX = "KLUSTERED_PARAM_"
"""Param `maxPods` reaches the scripts as `KLUSTERED_PARAM_MAX_PODS` (UPPER_SNAKE case)."""

_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\Z")
_PARAM_NAME = re.compile(r"[a-z][a-zA-Z0-9]{0,62}\Z")
_ROLE_RELATIVE = re.compile(r"(?:control-plane|worker)-[1-9][0-9]*\Z")


class Layer(StrEnum):
    """Where in the stack a break bites; the catalog spans these."""

    HOST_OS = "host-os"
    CONTAINER_RUNTIME = "container-runtime"
    KUBELET = "kubelet"
    STATIC_PODS = "static-pods"
    ETCD = "etcd"
    CERTIFICATES = "certificates"
    API = "api"
    SCHEDULING = "scheduling"
    NETWORKING = "networking"
    DNS = "dns"
    WORKLOAD = "workload"
    CLIENT = "client"


TargetKeyword = Literal["control-plane", "workers", "all", "api"]
Targets = TargetKeyword | list[str]


class Param(BaseModel):
    """One declared parameter: its type, default and what it changes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["int", "string", "bool"]
    default: int | str | bool
    description: str = ""

    def check(self, value: object) -> str | None:
        """Return why `value` does not fit this declaration, or None when it does."""
        if self.type == "bool":
            ok = isinstance(value, bool)
        elif self.type == "int":
            ok = isinstance(value, int) and not isinstance(value, bool)
        else:
            ok = isinstance(value, str)
        return None if ok else f"expected {self.type}, got {type(value).__name__} {shown(value)}"

    def as_env(self, value: int | str | bool) -> str:
        """The value as the scripts see it: ints in decimal, bools as true/false."""
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)


class UnicodeException(BaseModel):
    """A declared exception to the ASCII-only rule, with the reason it is needed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reason: str = Field(min_length=10)


class ScenarioSpec(BaseModel):
    """scenario.yaml: KlusteredBench's fields plus Klustered's own."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    # KlusteredBench fields
    id: str
    title: str = Field(min_length=1)
    difficulty: Literal["easy", "medium", "hard"]
    tags: list[str] = []
    source: str | None = None
    timeout: str | None = None
    node_level: bool = Field(default=False, alias="nodeLevel")
    prompt: str = Field(min_length=1)
    solution: str | None = None
    scripts: dict[str, str] = {}
    # Klustered additions
    layer: Layer | None = None
    targets: Targets = "api"
    hints: list[str] = []
    params: dict[str, Param] = {}
    credit: str | None = None
    unicode: UnicodeException | None = None
    secret: bool = False

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(f"{shown(value)} is not a lower-case DNS label")
        return value

    @field_validator("scripts")
    @classmethod
    def _scripts(cls, value: dict[str, str]) -> dict[str, str]:
        for kind in value:
            if kind not in SCRIPT_KINDS:
                raise ValueError(f"{shown(kind)} is not one of {', '.join(SCRIPT_KINDS)}")
        return value

    @field_validator("timeout")
    @classmethod
    def _timeout(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[0-9]{1,6}[smh]", value):
            raise ValueError(f"{shown(value)} is not a duration like 90s, 15m or 1h")
        return value

    @field_validator("targets")
    @classmethod
    def _targets(cls, value: Targets) -> Targets:
        if isinstance(value, list):
            if not value:
                raise ValueError("a target list names at least one node")
            for name in value:
                if not _ID.match(name):
                    raise ValueError(f"{shown(name)} is not a node name")
        return value

    @field_validator("params")
    @classmethod
    def _params(cls, value: dict[str, Param]) -> dict[str, Param]:
        for name, param in value.items():
            if not _PARAM_NAME.match(name):
                raise ValueError(f"param {shown(name)} is not a camelCase name")
            problem = param.check(param.default)
            if problem:
                raise ValueError(f"param {name}: default {problem}")
        return value


def printable(text: str) -> str:
    """`text` as one line of printable ASCII (other characters as \\uXXXX escapes)."""
    return "".join(c if 32 <= ord(c) < 127 else f"\\u{ord(c):04x}" for c in text)


def shown(value: object, limit: int = 60) -> str:
    """A value as a message repeats it: repr, printable ASCII, cut at `limit` characters."""
    text = repr(value)
    text = text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"
    return printable(text)


def param_env_name(name: str) -> str:
    """The env var a param reaches the scripts as (`maxPods` -> KLUSTERED_PARAM_MAX_PODS)."""
    return PARAM_ENV_PREFIX + re.sub(r"(?<!^)(?=[A-Z])", "_", name).upper()


class ScenarioError(ValueError):
    """A scenario that cannot be loaded, with one message per problem."""

    def __init__(self, where: str, problems: list[str]) -> None:
        self.where = where
        self.problems = problems
        super().__init__(printable(f"{where}: " + "; ".join(problems)))


@dataclass(frozen=True)
class Scenario:
    """A loaded scenario: its spec, the text of each script present, and where it came from."""

    spec: ScenarioSpec
    scripts: Mapping[str, str]
    """Script kind -> text, for the scripts present."""
    origin: str
    """The directory (or `inline:<id>`) it was loaded from, for messages."""
    files: Mapping[str, str] = field(default_factory=dict)
    """Script kind -> file name inside the scenario, for messages."""

    @property
    def id(self) -> str:
        """The scenario id."""
        return self.spec.id

    @property
    def targets(self) -> Targets:
        """Where the break runs: its own `targets`, or every control plane for a
        KlusteredBench scenario with `nodeLevel: true` (and no `targets`)."""
        if "targets" not in self.spec.model_fields_set and self.spec.node_level:
            return "control-plane"
        return self.spec.targets

    @property
    def is_api(self) -> bool:
        """True when the scripts run with kubectl on control-plane-1 rather than on nodes."""
        return self.targets == "api"


def script_file(spec: ScenarioSpec, kind: str) -> str:
    """The file name that holds script `kind` (KlusteredBench's `scripts:` may rename it)."""
    return spec.scripts.get(kind, DEFAULT_SCRIPT_FILES[kind])


def format_validation_error(error: ValidationError) -> list[str]:
    """Pydantic errors as `field.path: message` lines."""
    out = []
    for err in error.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "scenario"
        out.append(f"{loc}: {err['msg']}")
    return out


def parse_spec(data: object, where: str) -> ScenarioSpec:
    """Validate a scenario.yaml mapping, raising ScenarioError naming each bad field."""
    if not isinstance(data, dict):
        raise ScenarioError(where, ["scenario.yaml must be a mapping"])
    try:
        return ScenarioSpec.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(where, format_validation_error(exc)) from None


def load_scenario(directory: Path | str, root: Path | str | None = None) -> Scenario:
    """Load a scenario directory; raise ScenarioError when it is not loadable.

    Every file resolves inside `root` (the project, or the catalog; the directory itself
    when None), is a regular file and within the size limits. Loading checks the schema,
    that the id matches the directory name and that the required scripts exist; the full
    rule set (ASCII, access path, shellcheck) is lint's.
    """
    path = Path(directory)
    tree = Path(root) if root is not None else path
    where = str(path)
    manifest = path / SCENARIO_FILE
    try:
        check_directory(path, tree)
        if not manifest.exists() and not manifest.is_symlink():
            raise ScenarioError(where, [f"{SCENARIO_FILE} is missing"])
        raw = read_source(manifest, tree, MAX_SPEC_BYTES)
    except SourceError as exc:
        raise ScenarioError(where, [str(exc)]) from None
    try:
        data = load_yaml(raw)
    except YamlError as exc:
        raise ScenarioError(where, [f"{SCENARIO_FILE} is not valid YAML: {exc}"]) from None
    spec = parse_spec(data, where)
    problems = []
    if spec.id != path.name:
        problems.append(f"id {shown(spec.id)} must match the directory name {shown(path.name)}")
    if spec.secret:
        problems.append(SECRET_DIRECTORY)
    scripts: dict[str, str] = {}
    files: dict[str, str] = {}
    for kind in SCRIPT_KINDS:
        name = script_file(spec, kind)
        try:
            check_script_name(name)
            file = path / name
            if not file.exists() and not file.is_symlink():
                if kind in REQUIRED_SCRIPTS:
                    problems.append(f"{name} is missing (a {kind} script is required)")
                continue
            scripts[kind] = read_source(file, tree, MAX_SCRIPT_BYTES).decode(
                "utf-8", errors="replace"
            )
            files[kind] = name
        except SourceError as exc:
            problems.append(f"scripts.{kind}: {exc}")
    if problems:
        raise ScenarioError(where, problems)
    return Scenario(spec=spec, scripts=scripts, origin=where, files=files)


def scenario_from_inline(data: Mapping[str, Any]) -> Scenario:
    """Build a scenario held inline in a stack file: scenario fields plus `files: {name: text}`.

    The inline form mirrors a directory: `files` maps `break.sh`, `solve.sh`, ... to
    their text (in a stack file, a Pulumi secret).
    """
    body = dict(data)
    raw_files = body.pop("files", None)
    where = f"inline:{body.get('id', '?')}"
    if not isinstance(raw_files, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in raw_files.items()
    ):
        raise ScenarioError(where, ["files: must map script file names to their text"])
    spec = parse_spec(body, where)
    scripts: dict[str, str] = {}
    files: dict[str, str] = {}
    problems = [
        f"files.{name}: {len(text)} characters, more than the {MAX_SCRIPT_BYTES} allowed"
        for name, text in raw_files.items()
        if len(text) > MAX_SCRIPT_BYTES
    ]
    for kind in SCRIPT_KINDS:
        name = script_file(spec, kind)
        if name in raw_files:
            scripts[kind] = raw_files[name]
            files[kind] = name
        elif kind in REQUIRED_SCRIPTS:
            problems.append(f"files.{name} is missing (a {kind} script is required)")
    unknown = sorted(set(raw_files) - set(files.values()))
    if unknown:
        problems.append(f"files: unknown script file(s) {', '.join(unknown)}")
    if problems:
        raise ScenarioError(where, problems)
    return Scenario(spec=spec, scripts=scripts, origin=where, files=files)


def resolve_params(spec: ScenarioSpec, given: Mapping[str, object]) -> dict[str, str]:
    """Check `given` against the declared params; return every param's env var and value.

    Unknown names and wrong types raise ScenarioError naming the param.
    """
    problems = []
    for name in sorted(set(given) - set(spec.params)):
        declared = ", ".join(sorted(spec.params)) or "none"
        problems.append(
            f"params.{shown(name)[1:-1]}: not declared by {spec.id} (declared: {declared})"
        )
    env: dict[str, str] = {}
    for name, param in spec.params.items():
        value = given.get(name, param.default)
        problem = param.check(value)
        if problem:
            problems.append(f"params.{name}: {problem}")
            continue
        env[param_env_name(name)] = param.as_env(value)  # type: ignore[arg-type]
    if problems:
        raise ScenarioError(spec.id, problems)
    return env


def is_role_relative(name: str) -> bool:
    """True for a target like `control-plane-1` / `worker-2` that omits the team prefix."""
    return bool(_ROLE_RELATIVE.match(name))
