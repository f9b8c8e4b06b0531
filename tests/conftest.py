"""Shared fixtures: run programs and components under the recording mock engine."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from klustered.plan import OfflineRun, run_offline

REPO = Path(__file__).resolve().parent.parent

Runner = Callable[..., OfflineRun]


@pytest.fixture
def offline() -> Runner:
    """Run a program function under the mock engine (fresh context and event loop).

    `offline(program, config={...}, secret_keys=[...])` returns an OfflineRun with every
    registration (type, name, parent, custom, inputs with secrets unwrapped and flagged,
    dependencies) and the resolved value the program returned.
    """

    def run(
        program: Callable[[], Any],
        config: dict[str, Any] | None = None,
        secret_keys: list[str] | None = None,
        stack: str = "test",
    ) -> OfflineRun:
        as_strings = {
            k: v if isinstance(v, str) else json.dumps(v) for k, v in (config or {}).items()
        }
        return run_offline(program, as_strings, secret_keys, stack=stack)

    return run


@pytest.fixture
def example_stack() -> dict[str, Any]:
    """The `config:` mapping of the example stack file, parsed."""
    data = yaml.safe_load((REPO / "stacks" / "Pulumi.episode-42.yaml").read_text())
    return dict(data["config"])


@pytest.fixture
def run_episode(offline: Runner) -> Callable[[dict[str, Any]], OfflineRun]:
    """Run the real program with a stack's config mapping; the value is the Episode's files."""

    def run(
        config: dict[str, Any], secret_keys: list[str] | None = None, stack: str = "test"
    ) -> OfflineRun:
        from klustered.program import main

        def program() -> Any:
            import pulumi

            episode = main(base_dir=REPO)
            files = episode.rendered_files
            return pulumi.Output.all(**files) if files else {}

        return offline(program, config, secret_keys, stack)

    return run
