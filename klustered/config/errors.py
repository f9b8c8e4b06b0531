"""Config problems as the user sees them: a field path and a one-line message."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

SHOW_LIMIT = 80
"""Characters of a value an error message echoes; the rest is cut and counted."""
KEY_LIMIT = 40
"""Characters of a mapping key a field path echoes."""
SECRET_SHOWN = "[secret]"
"""What a message shows instead of a value read from a secret config key."""

_REDACT: ContextVar[bool] = ContextVar("klustered_redact_values", default=False)
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_.:-]{1,40}\Z")


@dataclass(frozen=True)
class ConfigProblem:
    """Something about a stack's config: where (a field path) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        path, message = escape(self.path), escape(self.message)
        return f"{path}: {message}" if path else message

    def as_dict(self) -> dict[str, str]:
        """`{field, message}`, the shape `validate --json` prints (escaped like the text)."""
        return {"field": escape(self.path), "message": escape(self.message)}


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


def escape(text: str) -> str:
    """`text` as one printable ASCII line: control characters and non-ASCII escaped.

    Newlines, carriage returns, terminal escapes (ESC), DEL, C1 controls, bidi overrides
    and zero-width characters all come out as backslash escapes, so an echoed value can
    neither break the one-line format nor drive the terminal.
    """
    out = []
    for char in text:
        code = ord(char)
        if 32 <= code < 127:
            out.append(char)
        elif char in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[char])
        elif code < 256:
            out.append(f"\\x{code:02x}")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return "".join(out)


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text)} characters)"


def show(value: Any, limit: int = SHOW_LIMIT) -> str:
    """A value as an error message echoes it: quoted, escaped to printable ASCII, cut.

    Every message that repeats what the user wrote goes through here: control characters
    and non-ASCII come out escaped (`'a\\x1b[2Jb'`), anything longer than `limit`
    characters is cut with its length stated, and inside `redacted()` (values read from
    a secret config key) the value is not shown at all.
    """
    if _REDACT.get():
        return SECRET_SHOWN
    if isinstance(value, str):
        return "'" + escape(_cut(value, limit)).replace("'", "\\'") + "'"
    try:
        text = json.dumps(value, default=str)
    except (ValueError, TypeError, RecursionError):
        text = f"<{type(value).__name__}>"
    return escape(_cut(text, limit))


@contextmanager
def redacted() -> Iterator[None]:
    """Within this block `show` echoes no value (messages about secret config keys)."""
    token = _REDACT.set(True)
    try:
        yield
    finally:
        _REDACT.reset(token)


def show_key(key: object) -> str:
    """A mapping key as a field path shows it: plain names as they are, others quoted."""
    if isinstance(key, str) and _PLAIN_KEY.match(key):
        return key
    if isinstance(key, str):
        return show(key, KEY_LIMIT) if not _REDACT.get() else "<key>"
    return f"<{type(key).__name__} key>"


def field_path(loc: Iterable[int | str], prefix: str = "") -> str:
    """A pydantic location as a field path under `prefix`: `teams[1].workers`."""
    out = prefix
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + show_key(part)
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
        if isinstance(value, bool):
            return f"{show(value)} is true/false, not a number"
        return f"{show(value)} is not a whole number"
    if kind in ("bool_parsing", "bool_type"):
        return f"{show(value)} is not true or false"
    if kind in ("datetime_parsing", "datetime_from_date_parsing", "datetime_type"):
        return f"{show(value)} is not an ISO 8601 time like 2026-12-01T20:00:00Z"
    if kind == "timezone_aware":
        shown = show(value.isoformat() if isinstance(value, datetime) else value)
        return f"{shown} has no timezone: add Z (UTC) or an offset like +01:00"
    if kind in ("float_type", "float_parsing"):
        return f"{show(value)} is not a number"
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
