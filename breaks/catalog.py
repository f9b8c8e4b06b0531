"""The break catalog: scenario directories shipped under `breaks/catalog/<id>/`."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from breaks.scenario import Scenario, ScenarioError, load_scenario, scenario_from_inline, shown

CATALOG_DIR = Path(__file__).resolve().parent / "catalog"


def catalog_ids() -> frozenset[str]:
    """The ids of every break in the catalog (directory names holding a scenario.yaml)."""
    if not CATALOG_DIR.is_dir():
        return frozenset()
    return frozenset(p.parent.name for p in CATALOG_DIR.glob("*/scenario.yaml"))


def catalog_dir(break_id: str) -> Path:
    """The directory of catalog break `break_id`; ScenarioError when there is none."""
    if break_id not in catalog_ids():
        raise ScenarioError(break_id, [f"no break {shown(break_id)} in the catalog"])
    return CATALOG_DIR / break_id


def load_break(break_id: str) -> Scenario:
    """Load one catalog break by id."""
    return load_scenario(catalog_dir(break_id), CATALOG_DIR)


def load_catalog() -> list[Scenario]:
    """Every catalog break, sorted by id."""
    return [load_scenario(CATALOG_DIR / i, CATALOG_DIR) for i in sorted(catalog_ids())]


def resolve_scenario(
    *,
    id: str | None = None,
    path: str | Path | None = None,
    inline: Mapping[str, Any] | None = None,
    base_dir: Path | None = None,
) -> Scenario:
    """The scenario a stack-config break entry names: a catalog id, a directory, or inline.

    Relative paths are taken from `base_dir` (the project root) when given, and every
    file of the scenario must resolve inside it.
    """
    given = [k for k, v in (("id", id), ("path", path), ("inline", inline)) if v is not None]
    if len(given) != 1:
        raise ScenarioError("break", ["give exactly one of id, path or inline"])
    if id is not None:
        return load_break(id)
    if path is not None:
        directory = Path(path)
        if base_dir is not None and not directory.is_absolute():
            directory = base_dir / directory
        return load_scenario(directory, base_dir)
    assert inline is not None
    return scenario_from_inline(inline)
