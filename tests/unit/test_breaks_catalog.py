"""The catalog as a whole: its size and spread, credits, and a sandbox test for every break."""

from __future__ import annotations

import re
from pathlib import Path

from breaks.catalog import load_catalog
from breaks.scenario import Layer

SANDBOX = Path(__file__).resolve().parents[1] / "sandbox"


def test_at_least_forty_breaks_across_at_least_twelve_layers() -> None:
    catalog = load_catalog()
    assert len(catalog) >= 40
    layers = {s.spec.layer for s in catalog}
    assert None not in layers
    assert len(layers) >= 12
    assert layers == set(Layer)


def test_every_break_is_credited_to_its_source() -> None:
    for scenario in load_catalog():
        assert scenario.spec.source and len(scenario.spec.source) > 10, scenario.id
        assert scenario.spec.credit, scenario.id
        assert scenario.spec.solution and scenario.spec.hints, scenario.id


def test_every_break_is_exercised_by_a_sandbox_test() -> None:
    texts = "\n".join(p.read_text() for p in SANDBOX.glob("test_breaks_*.py"))
    named = set(re.findall(r'"([a-z0-9-]+)"', texts))
    missing = sorted(s.id for s in load_catalog() if s.id not in named)
    assert missing == []


def test_etcd_breaks_run_against_a_real_etcd() -> None:
    text = (SANDBOX / "test_breaks_etcd.py").read_text()
    for scenario in load_catalog():
        if scenario.spec.layer == Layer.ETCD or "etcd" in scenario.id.split("-")[:1]:
            assert f'load_break("{scenario.id}")' in text, scenario.id
