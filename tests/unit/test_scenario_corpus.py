"""The hostile-scenario corpus: every directory under tests/scenarios/hostile/ gets the verdict
its EXPECT file states: `valid`, or `<file>[:<line>]: [<rule>] <message>`.

The corpus directory stands for the project: a symlink to a sibling scenario is inside it,
anything under /etc is not.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from breaks.lint import Violation, lint_directory
from breaks.scenario import ScenarioError, load_scenario
from klustered.config import check_stack_config

CORPUS = Path(__file__).resolve().parents[1] / "scenarios" / "hostile"
DIRS = sorted(p for p in CORPUS.iterdir() if p.is_dir())
_EXPECT = re.compile(r"(?P<file>[^\s:]*)(?::(?P<line>\d+))?: \[(?P<rule>[a-z-]+)\] ?(?P<text>.*)\Z")


def _expect(directory: Path) -> str:
    return (directory / "EXPECT").read_text(encoding="utf-8").splitlines()[0]


def _matches(v: Violation, expected: re.Match[str]) -> bool:
    return (
        (not expected["file"] or v.file == expected["file"])
        and (expected["line"] is None or v.line == int(expected["line"]))
        and v.rule == expected["rule"]
        and expected["text"] in v.text
    )


def test_the_corpus_holds_at_least_60_scenarios() -> None:
    assert len(DIRS) >= 60


@pytest.mark.parametrize("directory", DIRS, ids=lambda p: p.name)
def test_lint_gives_each_scenario_its_verdict(directory: Path) -> None:
    violations = lint_directory(directory, CORPUS)
    shown = [str(v) for v in violations]
    if _expect(directory) == "valid":
        assert violations == [], shown
        load_scenario(directory, CORPUS)
        return
    expected = _EXPECT.match(_expect(directory))
    assert expected, _expect(directory)
    assert any(_matches(v, expected) for v in violations), shown
    assert all(s.isascii() and "\x1b" not in s for s in shown), shown


SOURCES = [d for d in DIRS if "[source]" in _expect(d)]


@pytest.mark.parametrize("directory", SOURCES, ids=lambda p: p.name)
def test_loading_refuses_a_file_from_outside_the_project(directory: Path) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(directory, CORPUS)
    words = ("outside", "leaves", "regular", "file name", "loop")
    assert any(w in p for p in caught.value.problems for w in words), caught.value.problems


@pytest.mark.parametrize("directory", SOURCES, ids=lambda p: p.name)
def test_a_stack_naming_it_is_refused_at_its_break_path(directory: Path) -> None:
    raw = {
        "klustered:machines": {"provider": "gcp", "gcp": {"project": "test-project"}},
        "klustered:teams": [{"name": "blue", "breaks": [{"path": directory.name}]}],
    }
    result = check_stack_config(raw, CORPUS)
    assert [e.path for e in result.errors] == ["teams[0].breaks[0].path"], result.errors


def test_a_path_that_leaves_the_project_is_refused(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    raw = {
        "klustered:machines": {"provider": "gcp", "gcp": {"project": "test-project"}},
        "klustered:teams": [{"name": "blue", "breaks": [{"path": str(CORPUS / "clean-break")}]}],
    }
    [error] = check_stack_config(raw, project).errors
    assert error.path == "teams[0].breaks[0].path"
    assert "outside the project directory" in error.message
