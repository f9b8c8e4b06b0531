"""Config problems as the user sees them: a field path and a one-line message."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar


@dataclass(frozen=True)
class ConfigProblem:
    """Something about a stack's config: where (a field path) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        text = f"{self.path}: {self.message}" if self.path else self.message
        return text.encode("ascii", "backslashreplace").decode("ascii")

    def as_dict(self) -> dict[str, str]:
        """`{field, message}`, the shape `validate --json` prints."""
        return {"field": self.path, "message": str(self).removeprefix(f"{self.path}: ")}


class ConfigError(ConfigProblem):
    """A problem that refuses the stack."""


class ConfigWarning(ConfigProblem):
    """Something the stack allows but probably does not mean."""


class StackConfigError(ValueError):
    """The stack's config breaks the contract; `errors` lists every problem found."""

    def __init__(self, errors: list[ConfigError], warnings: list[ConfigWarning] | None = None):
        self.errors = errors
        self.warnings = warnings or []
        super().__init__("\n".join(str(e) for e in errors))


def show(value: Any) -> str:
    """A value as it appears in an error message: ASCII only, non-ASCII escaped."""
    text = repr(value) if isinstance(value, str) else json.dumps(value, default=str)
    return text.encode("ascii", "backslashreplace").decode("ascii")


def field_path(loc: Iterable[int | str]) -> str:
    """A pydantic location as a field path: `teams[1].workers`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


def describe(err: Mapping[str, Any]) -> str:
    """One pydantic error as a one-line message about the value."""
    kind = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required"
    if kind == "greater_than_equal":
        return f"{show(value)} is below {ctx['ge']}"
    if kind == "less_than_equal":
        return f"{show(value)} is above {ctx['le']}"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length')} item(s)"
    if kind == "literal_error":
        return f"{show(value)} is not one of {ctx.get('expected')}"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{show(value)} is not a whole number"
    if kind in ("bool_parsing", "bool_type"):
        return f"{show(value)} is not true or false"
    if kind in ("datetime_parsing", "datetime_from_date_parsing", "datetime_type"):
        return f"{show(value)} is not an ISO 8601 time like 2026-12-01T20:00:00Z"
    if kind == "timezone_aware":
        shown = show(value.isoformat() if isinstance(value, datetime) else value)
        return f"{shown} has no timezone: add Z (UTC) or an offset like +01:00"
    if kind in ("string_type", "list_type", "dict_type", "model_type", "model_attributes_type"):
        expected = {
            "string_type": "a string",
            "list_type": "a list",
            "dict_type": "a mapping",
        }.get(kind, "a mapping")
        return f"{show(value)} is not {expected}"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    return f"{show(value)}: {err['msg']}"


P = TypeVar("P", bound="ConfigProblem")


def dedupe(errors: Iterable[P]) -> list[P]:
    """The errors in order, each message once."""
    seen: set[str] = set()
    out = []
    for err in errors:
        if str(err) not in seen:
            seen.add(str(err))
            out.append(err)
    return out
