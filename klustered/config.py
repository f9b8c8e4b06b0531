"""The stack-config contract: pydantic models for the `klustered:*` keys and their validation.

`validate_stack_config` turns the raw key/value map of a stack into a `StackConfig`, or
raises `StackConfigError` carrying every error at once, each naming its field path and
the offending value (`teams[1].workers: -1 is below 0`).
"""

from __future__ import annotations

import ipaddress
import json
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

from breaks.catalog import catalog_ids, resolve_scenario
from breaks.lint import lint_directory, lint_scenario
from breaks.scenario import ScenarioError, resolve_params
from breaks.targets import TargetError, resolve_targets
from components.mesh.addresses import BLOCK_SIZE as MESH_BLOCK
from components.mesh.addresses import MAX_WORKERS as MAX_MESH_WORKERS
from components.mesh.addresses import mesh_addresses
from components.nodes import NodeSlot, node_slots
from klustered.stackfile import SECRET_PLACEHOLDER

NAMESPACE = "klustered"
OLDEST_MINOR = 31
NEWEST_MINOR = 37
"""Kubernetes minors with packages on pkgs.k8s.io that the cluster scripts are tested for."""


_DNS_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
_GITHUB_HANDLE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
_K8S_VERSION = re.compile(r"^1\.(\d+)(?:\.(\d+))?$")


class _Model(BaseModel):
    """Strict, immutable, camelCase on the wire, unknown keys rejected."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        alias_generator=to_camel,
        populate_by_name=True,
        strict=False,
    )


def _check_cidr(value: str) -> str:
    try:
        ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        raise ValueError(f"{_show(value)} is not an IPv4 network in CIDR form ({exc})") from None
    return value


Cidr = Annotated[str, Field(min_length=1)]


class KubernetesConfig(_Model):
    """Kubernetes version and cluster address ranges."""

    version: str = "1.34"
    pod_cidr: Cidr = "10.244.0.0/16"
    service_cidr: Cidr = "10.96.0.0/12"

    @field_validator("version")
    @classmethod
    def _version(cls, value: str) -> str:
        match = _K8S_VERSION.match(value)
        if not match:
            raise ValueError(f"{_show(value)} is not a version like 1.34 or 1.34.2")
        minor = int(match.group(1))
        if not OLDEST_MINOR <= minor <= NEWEST_MINOR:
            raise ValueError(
                f"{_show(value)} is not supported (1.{OLDEST_MINOR} to 1.{NEWEST_MINOR})"
            )
        return value

    @field_validator("pod_cidr", "service_cidr")
    @classmethod
    def _cidr(cls, value: str) -> str:
        return _check_cidr(value)

    @property
    def minor(self) -> str:
        """The `1.NN` minor, used for the package repository."""
        major, minor = self.version.split(".")[:2]
        return f"{major}.{minor}"


class EquinixMetalConfig(_Model):
    """Equinix Metal device settings."""

    project: str | None = None
    metro: str = "am"
    plan: str = "c3.small.x86"
    os: str = "ubuntu_24_04"


class GcpConfig(_Model):
    """GCP Compute instance settings."""

    project: str | None = None
    zone: str = "europe-west4-a"
    machine_type: str = "e2-standard-4"
    image: str = "ubuntu-os-cloud/ubuntu-2404-lts-amd64"
    network: str = "default"


Provider = Literal["equinix-metal", "gcp"]


class MachinesConfig(_Model):
    """Machine defaults for every node; a team may override any field."""

    provider: Provider = "equinix-metal"
    equinix_metal: EquinixMetalConfig = EquinixMetalConfig()
    gcp: GcpConfig = GcpConfig()


class EquinixMetalOverride(_Model):
    """A team's partial override of the Equinix Metal defaults."""

    project: str | None = None
    metro: str | None = None
    plan: str | None = None
    os: str | None = None


class GcpOverride(_Model):
    """A team's partial override of the GCP defaults."""

    project: str | None = None
    zone: str | None = None
    machine_type: str | None = None
    image: str | None = None
    network: str | None = None


class MachinesOverride(_Model):
    """A team's partial override of the episode's machine defaults."""

    provider: Provider | None = None
    equinix_metal: EquinixMetalOverride | None = None
    gcp: GcpOverride | None = None

    def apply(self, base: MachinesConfig) -> MachinesConfig:
        """Return `base` with every field set here replacing the default."""
        updates: dict[str, Any] = {}
        if self.provider is not None:
            updates["provider"] = self.provider
        if self.equinix_metal is not None:
            updates["equinix_metal"] = base.equinix_metal.model_copy(
                update=self.equinix_metal.model_dump(exclude_none=True)
            )
        if self.gcp is not None:
            updates["gcp"] = base.gcp.model_copy(update=self.gcp.model_dump(exclude_none=True))
        return base.model_copy(update=updates)


class MeshConfig(_Model):
    """The WireGuard mesh between the nodes of each cluster."""

    enabled: bool = False
    cidr: Cidr = "10.254.0.0/24"
    port: int = Field(default=51820, ge=1, le=65535)
    mtu: int = Field(default=1420, ge=1280, le=9000)
    keepalive: int = Field(default=25, ge=0, le=3600)

    @field_validator("cidr")
    @classmethod
    def _cidr(cls, value: str) -> str:
        return _check_cidr(value)


class WorkloadConfig(_Model):
    """The Klustered app every cluster starts with, in the show's or KlusteredBench's baseline."""

    baseline: Literal["show", "klusteredbench"] = "show"
    image: str | None = None
    """The v1 app image; default: the baseline's. v2 is the same repository, tag v2."""
    postgres_image: str = "postgres:16"


TARGET_WORDS = ("control-plane", "workers", "all", "api")
Targets = Literal["control-plane", "workers", "all", "api"] | list[str]
ParamValue = str | int | bool


class BreakRef(_Model):
    """One break applied to a team's cluster: a catalog id, a scenario path, or inline."""

    id: str | None = None
    path: str | None = None
    inline: dict[str, Any] | None = None
    targets: Targets | None = None
    params: dict[str, ParamValue] = {}
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
            f"{_show(value)} is not control-plane, workers, all, api or a list of node names"
        )

    @field_validator("params", mode="plain")
    @classmethod
    def _params(cls, value: object) -> dict[str, ParamValue]:
        # One message per param, instead of one per branch of str | int | bool.
        if not isinstance(value, dict):
            raise ValueError(f"{_show(value)} is not a mapping of param names to values")
        for key, item in value.items():
            if not isinstance(key, str) or not isinstance(item, str | int | bool):
                raise ValueError(f"{key}: {_show(item)} is not a string, number or true/false")
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


class TeamConfig(_Model):
    """One team: its cluster shape, guests, machine overrides and breaks."""

    name: str
    guests: list[str] = []
    control_planes: Literal[1, 3, 5] = 1
    workers: int = Field(default=1, ge=0)
    machines: MachinesOverride = MachinesOverride()
    worker_machines: MachinesOverride | None = None
    breaks: list[BreakRef] = []

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if len(value) > 20:
            raise ValueError(f"{_show(value)} is longer than 20 characters")
        if not _DNS_LABEL.match(value):
            raise ValueError(
                f"{_show(value)} is not a DNS label (lower-case a-z, 0-9 and '-', "
                "not starting or ending with '-')"
            )
        return value

    @field_validator("guests")
    @classmethod
    def _guests(cls, value: list[str]) -> list[str]:
        for handle in value:
            if not _GITHUB_HANDLE.match(handle):
                raise ValueError(
                    f"{_show(handle)} is not a GitHub handle (1-39 of a-z, A-Z, 0-9 and single "
                    "inner '-')"
                )
        lowered = [h.lower() for h in value]
        dupes = sorted({h for h in lowered if lowered.count(h) > 1})
        if dupes:
            raise ValueError(f"{', '.join(dupes)} listed more than once")
        return value


class StackConfig(_Model):
    """Every `klustered:*` key of one stack, validated."""

    expires: datetime | None = None
    kubernetes: KubernetesConfig = KubernetesConfig()
    machines: MachinesConfig = MachinesConfig()
    mesh: MeshConfig = MeshConfig()
    workload: WorkloadConfig = WorkloadConfig()
    teams: list[TeamConfig] = Field(min_length=1)

    def team_machines(self, team: TeamConfig, *, worker: bool = False) -> MachinesConfig:
        """The effective machine settings of a team's control planes (or workers)."""
        machines = team.machines.apply(self.machines)
        if worker and team.worker_machines is not None:
            machines = team.worker_machines.apply(machines)
        return machines


@dataclass(frozen=True)
class ConfigError:
    """One problem in a stack's config: where and what."""

    path: str
    message: str

    def __str__(self) -> str:
        text = f"{self.path}: {self.message}" if self.path else self.message
        return text.encode("ascii", "backslashreplace").decode("ascii")


class StackConfigError(ValueError):
    """The stack's config breaks the contract; `errors` lists every problem found."""

    def __init__(self, errors: list[ConfigError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


def _show(value: Any) -> str:
    """A value as it appears in an error message: ASCII only, non-ASCII escaped."""
    text = repr(value) if isinstance(value, str) else json.dumps(value, default=str)
    return text.encode("ascii", "backslashreplace").decode("ascii")


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


def _describe(err: Mapping[str, Any]) -> str:
    kind = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required"
    if kind == "greater_than_equal":
        return f"{_show(value)} is below {ctx['ge']}"
    if kind == "less_than_equal":
        return f"{_show(value)} is above {ctx['le']}"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length')} item(s)"
    if kind == "literal_error":
        return f"{_show(value)} is not one of {ctx.get('expected')}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{_show(value)} is not a whole number"
    if kind in ("bool_parsing", "bool_type"):
        return f"{_show(value)} is not true or false"
    if kind in ("datetime_parsing", "datetime_from_date_parsing", "datetime_type"):
        return f"{_show(value)} is not an ISO 8601 time like 2026-12-01T20:00:00Z"
    if kind in ("string_type", "list_type", "dict_type", "model_type", "model_attributes_type"):
        expected = {
            "string_type": "a string",
            "list_type": "a list",
            "dict_type": "a mapping",
        }.get(kind, "a mapping")
        return f"{_show(value)} is not {expected}"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    return f"{_show(value)}: {err['msg']}"


def _errors_from(exc: ValidationError) -> list[ConfigError]:
    return [ConfigError(_path(tuple(err["loc"])), _describe(err)) for err in exc.errors()]


def _walk_strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _walk_strings(key, f"{path}.<key>" if path else "<key>")
            yield from _walk_strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _walk_strings(item, f"{path}[{i}]")


def _non_ascii_errors(raw: Mapping[str, Any]) -> list[ConfigError]:
    """The show's no-Unicode rule: a homoglyph or zero-width character anywhere is an error.

    Inline break bodies are left to the break loader, which allows declared exceptions.
    """
    errors = []
    for path, text in _walk_strings(raw, ""):
        if re.search(r"^teams\[\d+\]\.breaks\[\d+\]\.inline", path):
            continue
        for pos, char in enumerate(text):
            if ord(char) > 127:
                name = unicodedata.name(char, "unnamed")
                errors.append(
                    ConfigError(
                        path.replace(".<key>", ""),
                        f"{_show(text)} contains non-ASCII U+{ord(char):04X} ({name}) at "
                        f"position {pos}; names are ASCII only",
                    )
                )
                break
    return errors


def _semantic_errors(cfg: StackConfig, base_dir: Path) -> list[ConfigError]:
    errors: list[ConfigError] = []
    names = [t.name for t in cfg.teams]
    for i, team in enumerate(cfg.teams):
        if names.index(team.name) != i:
            errors.append(ConfigError(f"teams[{i}].name", f"{team.name!r} is used by another team"))

    ranges = {
        "kubernetes.podCidr": ipaddress.IPv4Network(cfg.kubernetes.pod_cidr),
        "kubernetes.serviceCidr": ipaddress.IPv4Network(cfg.kubernetes.service_cidr),
    }
    if cfg.mesh.enabled:
        ranges["mesh.cidr"] = ipaddress.IPv4Network(cfg.mesh.cidr)
    keys = list(ranges)
    for a_i, a in enumerate(keys):
        for b in keys[a_i + 1 :]:
            if ranges[a].overlaps(ranges[b]):
                errors.append(ConfigError(b, f"{ranges[b]} overlaps {a} ({ranges[a]})"))

    if cfg.mesh.enabled:
        net = ipaddress.IPv4Network(cfg.mesh.cidr)
        teams_fit = net.num_addresses // MESH_BLOCK
        if len(cfg.teams) > teams_fit:
            errors.append(
                ConfigError(
                    "mesh.cidr",
                    f"{cfg.mesh.cidr} holds {teams_fit} team(s) of {MESH_BLOCK} addresses; "
                    f"the stack has {len(cfg.teams)} teams",
                )
            )
        for i, team in enumerate(cfg.teams):
            if team.workers > MAX_MESH_WORKERS:
                errors.append(
                    ConfigError(
                        f"teams[{i}].workers",
                        f"{team.workers} is above {MAX_MESH_WORKERS}, the most a team's "
                        f"{MESH_BLOCK}-address mesh block holds",
                    )
                )
        if not errors:
            try:
                mesh_addresses(
                    cfg.mesh.cidr, [(t.name, t.control_planes, t.workers) for t in cfg.teams]
                )
            except ValueError as exc:
                errors.append(ConfigError("mesh.cidr", str(exc)))

    known_ids = catalog_ids()
    for i, team in enumerate(cfg.teams):
        where = f"teams[{i}]"
        cp_machines = cfg.team_machines(team)
        roles = [("machines", cp_machines)]
        if team.workers > 0:
            worker_machines = cfg.team_machines(team, worker=True)
            roles.append(
                ("workerMachines" if team.worker_machines else "machines", worker_machines)
            )
            if worker_machines.provider != cp_machines.provider and not cfg.mesh.enabled:
                errors.append(
                    ConfigError(
                        f"{where}.workerMachines.provider",
                        f"{worker_machines.provider!r} differs from the control planes' "
                        f"{cp_machines.provider!r}; mixing substrates needs mesh.enabled: true",
                    )
                )
        for field, machines in roles:
            if machines.provider == "gcp" and not machines.gcp.project:
                errors.append(
                    ConfigError(
                        f"{where}.{field}.gcp.project",
                        "required when provider is gcp (set klustered:machines.gcp.project "
                        "or the team's machines.gcp.project)",
                    )
                )
            if machines.provider == "equinix-metal" and not machines.equinix_metal.project:
                errors.append(
                    ConfigError(
                        f"{where}.{field}.equinixMetal.project",
                        "required when provider is equinix-metal (set "
                        "klustered:machines.equinixMetal.project or the team's "
                        "machines.equinixMetal.project)",
                    )
                )

        slots = node_slots(team.name, team.control_planes, team.workers)
        seen: dict[str, int] = {}
        for j, ref in enumerate(team.breaks):
            errors += _break_errors(f"{where}.breaks[{j}]", ref, slots, base_dir, known_ids)
            label = ref.label
            if label in seen:
                errors.append(
                    ConfigError(
                        f"{where}.breaks[{j}]",
                        f"{label!r} is already applied as breaks[{seen[label]}]",
                    )
                )
            seen.setdefault(label, j)
    return errors


def _break_errors(
    where: str, ref: BreakRef, slots: list[NodeSlot], base_dir: Path, known_ids: frozenset[str]
) -> list[ConfigError]:
    """A break entry checked with the break loader: source, params, targets and lint rules."""
    if ref.id is not None and ref.id not in known_ids:
        empty = " (the catalog is empty)" if not known_ids else ""
        return [ConfigError(f"{where}.id", f"{_show(ref.id)} is not in the break catalog{empty}")]
    if ref.path is not None:
        directory = (base_dir / ref.path).resolve()
        if not (directory / "scenario.yaml").is_file():
            return [
                ConfigError(
                    f"{where}.path",
                    f"{_show(ref.path)} is not a scenario directory (no scenario.yaml under "
                    f"{directory})",
                )
            ]
    source = "id" if ref.id is not None else "path" if ref.path is not None else "inline"
    try:
        scenario = resolve_scenario(id=ref.id, path=ref.path, inline=ref.inline, base_dir=base_dir)
    except ScenarioError as exc:
        return [ConfigError(f"{where}.{source}", "; ".join(exc.problems))]
    errors: list[ConfigError] = []
    try:
        resolve_params(scenario.spec, ref.params)
    except ScenarioError as exc:
        errors += [ConfigError(f"{where}.params", p.removeprefix("params.")) for p in exc.problems]
    try:
        resolve_targets(ref.targets or scenario.targets, slots)
    except TargetError as exc:
        nodes = ", ".join(slot.name for slot in slots)
        errors.append(ConfigError(f"{where}.targets", f"{exc} (nodes: {nodes})"))
    if ref.path is not None:
        violations = lint_directory(base_dir / ref.path)
    elif ref.inline is not None and SECRET_PLACEHOLDER not in scenario.scripts.values():
        violations = lint_scenario(scenario)
    else:
        violations = []
    errors += [ConfigError(f"{where}.{source}", str(v)) for v in violations]
    return errors


def validate_stack_config(raw: Mapping[str, Any], base_dir: Path | None = None) -> StackConfig:
    """Validate the `klustered:*` keys of a stack (full keys, values already parsed).

    Keys of other namespaces (provider settings such as `gcp:project`) are ignored.
    `base_dir` anchors relative break paths (the project root). Raises StackConfigError.
    """
    base = base_dir or Path.cwd()
    errors: list[ConfigError] = []
    values: dict[str, Any] = {}
    for key, value in raw.items():
        namespace, _, name = key.partition(":")
        if namespace != NAMESPACE:
            continue
        if name not in StackConfig.model_fields and to_snake(name) not in StackConfig.model_fields:
            errors.append(ConfigError(key, "unknown key"))
            continue
        values[name] = value
    non_ascii = _non_ascii_errors(values)
    errors += non_ascii
    if "teams" not in values:
        errors.append(ConfigError("teams", "required (klustered:teams lists one cluster per team)"))
    try:
        cfg = StackConfig.model_validate(values)
    except ValidationError as exc:
        # A field already reported for a non-ASCII character needs no second message.
        flagged = {e.path for e in non_ascii}
        errors += [
            e
            for e in _errors_from(exc)
            if (e.path != "teams" or "teams" in values) and e.path not in flagged
        ]
        raise StackConfigError(_dedupe(errors)) from None
    errors += _semantic_errors(cfg, base)
    if errors:
        raise StackConfigError(_dedupe(errors))
    return cfg


def to_snake(name: str) -> str:
    """camelCase to snake_case (config key to model field)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _dedupe(errors: list[ConfigError]) -> list[ConfigError]:
    seen: set[str] = set()
    out = []
    for err in errors:
        if str(err) not in seen:
            seen.add(str(err))
            out.append(err)
    return out
