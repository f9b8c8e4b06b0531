"""The GitHub Actions workflows as data: jobs, steps and their run: scripts, read from disk."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = REPO / ".github" / "workflows"
WORKFLOW_FILES = sorted(WORKFLOWS.glob("*.yml"))


def workflow(name: str) -> dict[str, Any]:
    """A workflow file parsed; the `on:` key (YAML 1.1 reads it as true) under "on"."""
    data = yaml.safe_load((WORKFLOWS / f"{name}.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    if True in data:
        data["on"] = data.pop(True)
    return data


def steps(wf: dict[str, Any], job: str) -> list[dict[str, Any]]:
    """The steps of one job."""
    return list(wf["jobs"][job]["steps"])


def step(wf: dict[str, Any], job: str, name: str) -> dict[str, Any]:
    """The step of `job` with this name (or id)."""
    found = [s for s in steps(wf, job) if name in (s.get("name"), s.get("id"))]
    assert len(found) == 1, f"{job}: {len(found)} step(s) named {name!r}"
    return found[0]


def uses(wf: dict[str, Any], job: str, action: str) -> list[dict[str, Any]]:
    """The steps of `job` that use `action` (owner/repo, any pinned ref)."""
    return [s for s in steps(wf, job) if str(s.get("uses", "")).split("@")[0] == action]


def readme_commands() -> tuple[str, str]:
    """The README's two set-up commands (install + plan, tests), exactly as written."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Set-up\n.*?```sh\n(.*?)```", text, re.S)
    assert block, "README has no Set-up shell block"
    commands = [line for line in block.group(1).splitlines() if line and not line.startswith("#")]
    assert len(commands) == 2, commands
    return commands[0], commands[1]


def pinned_requirement(name: str) -> str:
    """The version requirements.txt pins for a package."""
    for line in (REPO / "requirements.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith(f"{name}=="):
            return line.split("==", 1)[1].strip()
    raise AssertionError(f"{name} is not pinned in requirements.txt")
