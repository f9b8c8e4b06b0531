"""Shared fixtures: run programs and components under the recording mock engine."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from klustered.plan import OfflineRun, run_offline
from klustered.stackfile import load_stack_file

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
    """The `config:` mapping of the example stack file, parsed as `klustered plan` reads it
    (secure values, which only the Pulumi CLI decrypts, as the text `[secret]`)."""
    return dict(load_stack_file("episode-42", cwd=REPO).config)


def episode_program() -> Any:
    """The real program; returns the Episode's rendered files (resolved by the run)."""
    import pulumi

    from klustered.program import main

    files = main(base_dir=REPO).rendered_files
    return pulumi.Output.all(**files) if files else {}


def run_stack(config: dict[str, Any], stack: str = "test") -> OfflineRun:
    """Run the real program with a stack's config mapping (values as in the stack file)."""
    as_strings = {k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}
    return run_offline(episode_program, as_strings, stack=stack)


@pytest.fixture
def run_episode() -> Callable[..., OfflineRun]:
    """Run the real program with a stack's config mapping; the value is the rendered files."""

    def run(
        config: dict[str, Any], secret_keys: list[str] | None = None, stack: str = "test"
    ) -> OfflineRun:
        as_strings = {k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}
        return run_offline(episode_program, as_strings, secret_keys, stack=stack)

    return run
