"""The break framework (scenario loader, lint rules, Break component) and the catalog.

    from breaks import Break, BreakArgs, load_break

Imports only the public types of `components`, never `klustered`. Public names load their
module on first use (listing the catalog needs no Pulumi SDK).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from breaks.catalog import (
        load_break,
        load_catalog,
        resolve_scenario,
    )
    from breaks.component import (
        Break,
        BreakArgs,
    )
    from breaks.scenario import (
        Scenario,
        ScenarioError,
        load_scenario,
    )

_EXPORTS = {
    "load_break": "breaks.catalog",
    "load_catalog": "breaks.catalog",
    "resolve_scenario": "breaks.catalog",
    "Break": "breaks.component",
    "BreakArgs": "breaks.component",
    "Scenario": "breaks.scenario",
    "ScenarioError": "breaks.scenario",
    "load_scenario": "breaks.scenario",
}
__all__ = [
    "Break",
    "BreakArgs",
    "Scenario",
    "ScenarioError",
    "load_break",
    "load_catalog",
    "load_scenario",
    "resolve_scenario",
]


__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)
