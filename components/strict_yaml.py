"""YAML as hand-written files (stack files, scenario.yaml) are read: bounded and unambiguous.

- Limits before anything is built: bytes, nesting depth, aliases, and the number of values
  the document expands to (an alias bomb is refused without being expanded; a recursive
  alias is refused).
- Scalars as Pulumi's YAML reader (YAML 1.2 core schema) takes them: `yes`, `no`, `on`,
  `off` are strings, not booleans; an unquoted timestamp stays the text the user wrote.
- Every mapping key is a plain string, written once.
- Only the core tags (string, integer, float, boolean, null, sequence, mapping, merge).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

TAG = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = (TAG + t for t in ("str", "int", "float", "bool", "null"))
SEQ, MAP, MERGE = TAG + "seq", TAG + "map", TAG + "merge"
_ALLOWED_TAGS = frozenset({STR, INT, FLOAT, BOOL, NULL, SEQ, MAP, MERGE})


@dataclass(frozen=True)
class YamlLimits:
    """How big a document may be, on disk and once its aliases are followed."""

    max_bytes: int = 1_000_000
    max_depth: int = 64
    max_aliases: int = 100
    max_values: int = 100_000
    """Scalars, sequences and mappings the document holds with every alias expanded."""


DEFAULT_LIMITS = YamlLimits()


class YamlError(ValueError):
    """A document that cannot be read: a one-line reason, with its line when known."""

    def __init__(self, message: str, line: int = 0) -> None:
        self.line = line
        self.reason = message
        super().__init__(f"line {line}: {message}" if line else message)


class _Resolver(BaseResolver):
    """YAML 1.2 core-schema scalars, as Pulumi reads stack files (no timestamps, no yes/no)."""


_Resolver.add_implicit_resolver(
    BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)\Z"), list("tTfF")
)
_Resolver.add_implicit_resolver(
    INT, re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)\Z"), list("-+0123456789")
)
_Resolver.add_implicit_resolver(
    FLOAT,
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)
_Resolver.add_implicit_resolver(NULL, re.compile(r"^(?:~|null|Null|NULL|)\Z"), ["~", "n", "N", ""])
_Resolver.add_implicit_resolver(MERGE, re.compile(r"^(?:<<)\Z"), ["<"])


class _Constructor(SafeConstructor):
    """Core-schema values; integers read the way Go's strconv (base 0) reads them."""

    def construct_yaml_bool(self, node: Node) -> bool:
        return str(node.value).lower() == "true"

    def construct_yaml_int(self, node: Node) -> int:
        text = str(node.value)
        sign = -1 if text.startswith("-") else 1
        digits = text.lstrip("+-")
        if digits.startswith("0x"):
            return sign * int(digits[2:], 16)
        if digits.startswith("0o"):
            return sign * int(digits[2:], 8)
        if len(digits) > 1 and digits.startswith("0"):
            # Go reads a leading zero as octal (0755); 09 is not octal and reads as decimal.
            return sign * int(digits, 8 if set(digits) <= set("01234567") else 10)
        return sign * int(digits)

    def construct_yaml_float(self, node: Node) -> float:
        text = str(node.value).lower()
        if text.endswith(".inf"):
            return -math.inf if text.startswith("-") else math.inf
        if text.endswith(".nan"):
            return math.nan
        return float(text)


for _tag, _method in (
    (BOOL, _Constructor.construct_yaml_bool),
    (INT, _Constructor.construct_yaml_int),
    (FLOAT, _Constructor.construct_yaml_float),
):
    _Constructor.add_constructor(_tag, _method)  # type: ignore[type-var]


class _Loader(Reader, Scanner, Parser, Composer, _Constructor, _Resolver):
    """PyYAML's pure-Python pipeline with a depth and alias budget while composing."""

    def __init__(self, text: str, limits: YamlLimits) -> None:
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        _Constructor.__init__(self)
        _Resolver.__init__(self)
        self.limits = limits
        self.depth = 0
        self.aliases = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > self.limits.max_aliases:
                raise YamlError(f"more than {self.limits.max_aliases} aliases", self._event_line())
            return super().compose_node(parent, index)
        self.depth += 1
        if self.depth > self.limits.max_depth:
            raise YamlError(
                f"nested deeper than {self.limits.max_depth} levels", self._event_line()
            )
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def _event_line(self) -> int:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        return int(event.start_mark.line) + 1


_KINDS = {
    INT: "a number",
    FLOAT: "a number",
    BOOL: "true/false",
    NULL: "empty (null)",
    SEQ: "a list",
    MAP: "a mapping",
}


def _tag_text(tag: str) -> str:
    text = "!!" + tag.removeprefix(TAG) if tag.startswith(TAG) else tag
    shown = text if len(text) <= 40 else text[:40] + "..."
    return shown.encode("ascii", "backslashreplace").decode("ascii")


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def _key_text(node: ScalarNode) -> str:
    value = str(node.value)
    shown = value if len(value) <= 40 else value[:40] + "..."
    return shown.encode("ascii", "backslashreplace").decode("ascii").replace("\n", "\\n")


def _check(root: Node, limits: YamlLimits) -> None:
    """Tags, keys, cycles, depth and expanded size of a composed document."""
    done: dict[int, tuple[int, int]] = {}
    """Node id -> (values it expands to, levels it spans), for nodes reached again."""
    active: set[int] = set()

    def too_deep(node: Node) -> YamlError:
        return YamlError(
            f"nested deeper than {limits.max_depth} levels once aliases are followed",
            _line(node),
        )

    def visit(node: Node, depth: int) -> tuple[int, int]:
        if id(node) in done:
            size, height = done[id(node)]
            if depth + height - 1 > limits.max_depth:
                raise too_deep(node)
            return size, height
        if id(node) in active:
            raise YamlError("an alias refers to a node that contains it", _line(node))
        if depth > limits.max_depth:
            raise too_deep(node)
        if node.tag not in _ALLOWED_TAGS:
            raise YamlError(f"tag {_tag_text(node.tag)} is not allowed here", _line(node))
        active.add(id(node))
        size, height = 1, 1
        children: list[Node] = []
        if isinstance(node, SequenceNode):
            children = list(node.value)
        elif isinstance(node, MappingNode):
            seen: dict[str, int] = {}
            for key, value in node.value:
                children.append(value)
                if key.tag == MERGE:
                    continue
                if not isinstance(key, ScalarNode) or key.tag != STR:
                    kind = _KINDS.get(key.tag, _tag_text(key.tag))
                    shown = f" {_key_text(key)!r}" if isinstance(key, ScalarNode) else ""
                    raise YamlError(
                        f"key{shown} is {kind}, not a string (quote it if it is a name)",
                        _line(key),
                    )
                text = str(key.value)
                if text in seen:
                    raise YamlError(
                        f"key {_key_text(key)!r} appears twice (first at line {seen[text]})",
                        _line(key),
                    )
                seen[text] = _line(key)
                size += 1
        for child in children:
            child_size, child_height = visit(child, depth + 1)
            size += child_size
            height = max(height, child_height + 1)
            if size > limits.max_values:
                raise YamlError(
                    f"expands to more than {limits.max_values} values once aliases are followed",
                    _line(node),
                )
        active.discard(id(node))
        done[id(node)] = (size, height)
        return size, height

    visit(root, 1)


def _reader_problem(exc: yaml.YAMLError) -> str:
    if isinstance(exc, yaml.reader.ReaderError):
        return f"control or unprintable character U+{exc.character:04X} at offset {exc.position}"
    return str(exc).splitlines()[0]


def load_yaml(data: bytes | str, limits: YamlLimits = DEFAULT_LIMITS) -> Any:
    """Parse one YAML document within `limits`; YamlError names the line and the reason."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > limits.max_bytes:
        raise YamlError(f"{len(raw)} bytes is more than the {limits.max_bytes} allowed")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlError(f"not UTF-8 text (byte {exc.start})") from None
    try:
        loader = _Loader(text.removeprefix("\ufeff"), limits)
    except yaml.YAMLError as exc:
        raise YamlError(f"not valid YAML: {_reader_problem(exc)}") from None
    try:
        try:
            root = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else 0
            raise YamlError(f"not valid YAML: {exc.problem or exc.context}", line) from None
        except yaml.YAMLError as exc:
            raise YamlError(f"not valid YAML: {_reader_problem(exc)}") from None
        if root is None:
            return None
        _check(root, limits)
        try:
            return loader.construct_document(root)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else 0
            raise YamlError(f"not valid YAML: {exc.problem or exc.context}", line) from None
    finally:
        loader.dispose()
