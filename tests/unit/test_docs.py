"""What the docs show works: the complete stack examples validate, the links resolve."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO

DOCS = sorted((REPO / "docs").glob("*.md"))


def yaml_blocks(page: Path) -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", page.read_text(encoding="utf-8"), re.S)


def complete_stacks(page: Path) -> list[str]:
    """The yaml blocks of a page that are whole stack files (a config with teams)."""
    return [b for b in yaml_blocks(page) if b.startswith("config:") and ":teams:" in b]


def test_the_inline_break_example_is_a_complete_stack() -> None:
    stacks = [b for b in complete_stacks(REPO / "docs" / "configuration.md") if "inline:" in b]
    assert len(stacks) == 1
    inline = yaml.safe_load(stacks[0])["config"]["klustered:teams"][0]["breaks"][0]["inline"]
    assert set(inline["files"]) == {"break.sh", "solve.sh"}
    assert all(set(v) == {"secure"} for v in inline["files"].values())


@pytest.mark.parametrize(
    "block",
    [b for page in DOCS for b in complete_stacks(page)],
    ids=lambda b: b.splitlines()[2][:40],
)
def test_every_complete_stack_in_the_docs_validates(block: str, tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.docs.yaml"
    path.write_text(block)
    done = subprocess.run(
        [sys.executable, "-m", "klustered", "validate", "--json", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    errors = [p for p in json.loads(done.stdout) if p["severity"] == "error"]
    assert (done.returncode, errors) == (0, [])


def anchors(page: Path) -> set[str]:
    """The anchors GitHub makes of a page's headings (code blocks left out)."""
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    return {
        re.sub(r"[^a-z0-9 _-]", "", title.strip().lower()).replace(" ", "-")
        for title in re.findall(r"^#+ (.*)$", text, re.M)
    }


@pytest.mark.parametrize("page", [REPO / "README.md", *DOCS, *REPO.glob("examples/**/README.md")])
def test_relative_links_resolve(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#:\s]+)(?:#[^)]*)?\)", text):
        assert (page.parent / target).exists(), f"{page.name}: {target}"
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    for target, anchor in re.findall(r"\]\(([^)#:\s]*)#([^)\s]+)\)", prose):
        linked = page.parent / target if target else page
        assert anchor in anchors(linked), f"{page.name}: {target}#{anchor}"
    assert "../shared" not in text  # nothing outside the repository


def test_docs_are_ascii() -> None:
    for page in [REPO / "README.md", *DOCS, *REPO.glob("examples/**/*.md")]:
        assert page.read_text(encoding="utf-8").isascii(), page
