"""Validate a stack's `klustered:*` keys: each section on its own, then the rules across them.

Every problem of every stage is reported in one run: a section that fails its own schema
does not hide the problems of the others, and cross-field rules run on whatever validated.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError
from pydantic.alias_generators import to_camel, to_snake

from klustered.config.access import SECRET_FIELDS
from klustered.config.checks import ERRORS, WARNINGS, CheckContext, run_rules
from klustered.config.errors import (
    ConfigError,
    ConfigWarning,
    StackConfigError,
    dedupe,
    describe,
    field_path,
    redacted,
    show,
    show_key,
)
from klustered.config.limits import MAX_TEAMS, TEAMS_WHY
from klustered.config.stack import NAMESPACE, StackConfig
from klustered.config.teams import TeamConfig


@dataclass(frozen=True)
class Validation:
    """The outcome of validating a stack: the config (when valid), errors and warnings."""

    config: StackConfig | None
    errors: list[ConfigError] = field(default_factory=list)
    warnings: list[ConfigWarning] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the stack has no errors (warnings allowed)."""
        return not self.errors


def check_stack_config(
    raw: Mapping[str, Any],
    base_dir: Path | None = None,
    *,
    stack: str = "",
    provider_keys: Iterable[str] | None = None,
    secret_keys: Collection[str] | None = None,
    namespace: str = NAMESPACE,
) -> Validation:
    """Validate the `<namespace>:*` keys of a stack (full keys, values already parsed).

    `namespace` is the project's name (Pulumi.yaml `name`), `klustered` by default. Keys
    of other namespaces (provider settings such as `gcp:project`) are not validated, only
    checked for a namespace that looks like a typo of it; rules only see which are set:
    `provider_keys`, or those among `raw`'s keys. `base_dir` anchors relative break paths
    (the project root); `stack` is the stack's name. `secret_keys` are the full keys kept
    encrypted, when known: problems in them are reported without echoing any of their
    values.
    """
    errors: list[ConfigError] = []
    values: dict[str, Any] = {}
    # A short project name is too close to provider namespaces (gcp, aws) to guess typos.
    guess_typos = namespace == NAMESPACE or len(namespace) > 4
    for key, value in raw.items():
        key_namespace, _, name = key.partition(":")
        if key_namespace != namespace:
            if guess_typos and near_namespace(key_namespace, namespace):
                errors.append(
                    ConfigError(
                        show_key(key),
                        f"namespace {show(key_namespace)} looks like a typo of {namespace!r} "
                        f"(write {namespace}:{show_key(name)})",
                    )
                )
            continue
        section = to_snake(name)
        if section not in StackConfig.model_fields or to_camel(section) != name:
            known = [to_camel(f) for f in StackConfig.model_fields]
            close = difflib.get_close_matches(name, known, n=1)
            hint = f" (did you mean {namespace}:{close[0]}?)" if close else ""
            errors.append(ConfigError(show_key(key), f"unknown key{hint}"))
            continue
        values[section] = value
    secret = frozenset(s for s in values if f"{namespace}:{to_camel(s)}" in (secret_keys or ()))

    def quiet(section: str) -> AbstractContextManager[None]:
        return redacted() if section in secret else nullcontext()

    flagged: set[str] = set()
    for section, value in values.items():
        with quiet(section):
            non_ascii = _non_ascii_errors({to_camel(section): value})
        errors += non_ascii
        flagged |= {e.path for e in non_ascii}

    sections: dict[str, Any] = {}
    failed: set[str] = set()
    for section, value in values.items():
        if section == "teams":
            continue
        annotation = StackConfig.model_fields[section].annotation
        with quiet(section):
            try:
                sections[section] = TypeAdapter(annotation).validate_python(value)
            except ValidationError as exc:
                failed.add(section)
                errors += _errors_from(exc, to_camel(section), flagged)

    with quiet("teams"):
        teams, team_errors = _validate_teams(values, namespace)
    errors += team_errors
    if "teams" not in values or not isinstance(values["teams"], list) or not values["teams"]:
        failed.add("teams")

    config = StackConfig.model_construct(**sections, teams=[team for _, team in teams])
    ctx = CheckContext(
        config=config,
        teams=tuple(teams),
        base_dir=base_dir or Path.cwd(),
        failed=frozenset(failed),
        stack=stack,
        secret=secret,
        provider_keys=frozenset(
            key
            for key in (raw if provider_keys is None else provider_keys)
            if not key.startswith(f"{namespace}:")
        ),
        secret_keys=None if secret_keys is None else frozenset(secret_keys),
    )
    errors += [ConfigError(p.path, p.message) for p in run_rules(ERRORS, ctx)]
    warnings = [ConfigWarning(p.path, p.message) for p in dedupe(run_rules(WARNINGS, ctx))]
    errors = dedupe(errors)
    return Validation(None if errors else config, errors, warnings)


def validate_stack_config(
    raw: Mapping[str, Any],
    base_dir: Path | None = None,
    *,
    stack: str = "",
    provider_keys: Iterable[str] | None = None,
    secret_keys: Collection[str] | None = None,
    namespace: str = NAMESPACE,
) -> StackConfig:
    """The validated StackConfig, or StackConfigError carrying every problem at once."""
    result = check_stack_config(
        raw,
        base_dir,
        stack=stack,
        provider_keys=provider_keys,
        secret_keys=secret_keys,
        namespace=namespace,
    )
    if result.config is None:
        raise StackConfigError(result.errors, result.warnings)
    return result.config


def _validate_teams(
    values: Mapping[str, Any], namespace: str = NAMESPACE
) -> tuple[list[tuple[str, TeamConfig]], list[ConfigError]]:
    """Each team on its own: a broken team does not hide the problems of the others."""
    if "teams" not in values:
        return [], [
            ConfigError("teams", f"required ({namespace}:teams lists one cluster per team)")
        ]
    raw_teams = values["teams"]
    if not isinstance(raw_teams, list):
        return [], [ConfigError("teams", f"{show(raw_teams)} is not a list")]
    if not raw_teams:
        return [], [ConfigError("teams", "needs at least 1 item(s)")]
    if len(raw_teams) > MAX_TEAMS:
        return [], [
            ConfigError("teams", f"{len(raw_teams)} teams is more than {MAX_TEAMS}: {TEAMS_WHY}")
        ]
    valid: list[tuple[str, TeamConfig]] = []
    errors: list[ConfigError] = []
    flagged = {e.path for e in _non_ascii_errors({"teams": raw_teams})}
    for i, item in enumerate(raw_teams):
        where = f"teams[{i}]"
        try:
            valid.append((where, TeamConfig.model_validate(item)))
        except ValidationError as exc:
            errors += _errors_from(exc, where, flagged)
    return valid, errors


def _errors_from(exc: ValidationError, prefix: str, flagged: set[str]) -> list[ConfigError]:
    """Pydantic's errors as ConfigErrors under `prefix`, minus fields already flagged."""
    out = []
    for err in exc.errors():
        path = field_path(err["loc"], prefix)
        if path not in flagged:
            out.append(ConfigError(path, describe(err)))
    return out


def near_namespace(namespace: str, expected: str = NAMESPACE) -> bool:
    """True for a namespace that is not `expected` but is probably meant to be."""
    if namespace == expected:
        return False
    folded = re.sub(r"[^a-z0-9]", "", namespace.lower())
    if expected in folded:
        return True
    return _distance(folded, expected) <= 2


def _distance(a: str, b: str) -> int:
    """Optimal-string-alignment edit distance (a swap of two letters counts once)."""
    if abs(len(a) - len(b)) > 2:
        return 3
    rows = [list(range(len(b) + 1))]
    for i, ca in enumerate(a, start=1):
        row = [i]
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            best = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                best = min(best, rows[-2][j - 2] + 1)
            row.append(best)
        rows.append(row)
    return rows[-1][-1]


def _walk_strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _walk_strings(key, f"{path}.<key>" if path else "<key>")
            yield from _walk_strings(item, f"{path}.{show_key(key)}" if path else show_key(key))
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
        if path == "sshKey":
            continue  # a private key: never echoed; its own check refuses what it cannot read
        for pos, char in enumerate(text):
            if ord(char) > 127:
                name = unicodedata.name(char, "unnamed")
                where = path.replace(".<key>", "")
                # A secret's value is never shown, not even around a bad character.
                value = "the value" if where in SECRET_FIELDS else show(text)
                errors.append(
                    ConfigError(
                        where,
                        f"{value} contains non-ASCII U+{ord(char):04X} ({name}) at "
                        f"position {pos}; names are ASCII only",
                    )
                )
                break
    return errors
