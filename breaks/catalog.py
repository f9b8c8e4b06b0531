"""The break catalog: scenario directories shipped under `breaks/catalog/<id>/`."""

from __future__ import annotations

from pathlib import Path

CATALOG_DIR = Path(__file__).resolve().parent / "catalog"


def catalog_ids() -> frozenset[str]:
    """The ids of every break in the catalog (directory names holding a scenario.yaml)."""
    if not CATALOG_DIR.is_dir():
        return frozenset()
    return frozenset(p.parent.name for p in CATALOG_DIR.glob("*/scenario.yaml"))
