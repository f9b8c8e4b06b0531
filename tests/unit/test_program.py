"""The program: config validated before any resource, every resource under the Episode."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pytest
from conftest import REPO

from klustered.offline import OfflineMocks, RecordingMonitor
from klustered.plan import run_offline
from klustered.program import main


def test_invalid_config_fails_before_any_resource_is_registered(
    example_stack: dict[str, Any],
) -> None:
    broken = dict(example_stack)
    broken["klustered:teams"] = [{"name": "blue", "workers": -1}]
    monitor = RecordingMonitor(OfflineMocks())
    config = {
        k: v if isinstance(v, str) else __import__("json").dumps(v) for k, v in broken.items()
    }
    with pytest.raises(pulumi.RunError, match=r"teams\[0\]\.workers: -1 is below 0"):
        run_offline(lambda: main(base_dir=REPO), config, monitor=monitor)
    assert monitor.registrations == []


def test_every_resource_hangs_under_the_episode(
    run_episode: Callable[..., Any], example_stack: dict[str, Any]
) -> None:
    run = run_episode(example_stack)
    [episode] = run.by_type("klustered:episode:Episode")
    assert episode.parent.endswith("pulumi:pulumi:Stack::klustered-test")
    others = [r for r in run.registrations if r is not episode]
    assert others
    assert {r.urn for r in run.descendants_of(episode.urn)} == {r.urn for r in others}


def test_one_team_component_per_team_named_after_it(
    run_episode: Callable[..., Any], example_stack: dict[str, Any]
) -> None:
    run = run_episode(example_stack)
    names = sorted(r.name for r in run.by_type("klustered:episode:Team"))
    assert names == ["episode-blue", "episode-green"]
