"""Dependencies: pins and ranges agree, the runtime is apart from the test tools, and CI
installs and tests the way the README says."""

from __future__ import annotations

import re
import tomllib

from conftest import REPO
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]


def pins(name: str) -> dict[str, str]:
    found = {}
    for raw in (REPO / name).read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            req = Requirement(line)
            [spec] = req.specifier
            assert spec.operator == "==", line
            found[canonicalize_name(req.name)] = spec.version
    return found


def ranges(requirements: list[str]) -> dict[str, Requirement]:
    return {canonicalize_name(Requirement(r).name): Requirement(r) for r in requirements}


def test_runtime_pins_are_the_runtime_dependencies_within_their_ranges() -> None:
    extras = [
        req
        for name, reqs in PYPROJECT["optional-dependencies"].items()
        if name != "test"
        for req in reqs
    ]
    runtime, declared = pins("requirements.txt"), ranges([*PYPROJECT["dependencies"], *extras])
    assert set(runtime) == set(declared)
    for name, req in declared.items():
        assert req.specifier.contains(runtime[name]), f"{name} {runtime[name]} not in {req}"
        assert any(s.operator == "<" for s in req.specifier), f"{name} has no upper bound"


def test_test_tools_are_pinned_apart_from_the_runtime() -> None:
    dev, declared = pins("requirements-dev.txt"), ranges(PYPROJECT["optional-dependencies"]["test"])
    assert set(dev) == set(declared)
    assert not set(dev) & set(pins("requirements.txt"))
    assert "-r requirements.txt" in (REPO / "requirements-dev.txt").read_text().splitlines()
    for name, req in declared.items():
        assert req.specifier.contains(dev[name]), f"{name} {dev[name]} not in {req}"
    assert {"pytest", "ruff", "mypy"} <= set(dev)


def test_ci_installs_and_tests_as_the_readme_says() -> None:
    readme = (REPO / "README.md").read_text()
    block = re.search(r"## Set-up\n.*?```sh\n(.*?)```", readme, re.S)
    assert block
    install, tests = [line for line in block.group(1).splitlines() if line and line[0] != "#"]
    assert "pip install -r requirements-dev.txt -e ." in install
    ci = (REPO / ".ci" / "run").read_text().splitlines()
    assert ".venv/bin/pip install -q -r requirements-dev.txt -e ." in ci
    assert tests in ci
    assert ci.index(tests) < ci.index(".venv/bin/python bench/plan_scale.py")


def test_the_licence_is_apache_2() -> None:
    assert PYPROJECT["license"] == "Apache-2.0"
    text = (REPO / "LICENSE").read_text()
    assert text.startswith("Copyright 2026 The Klustered authors\n")
    assert "Apache License\n                           Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text
