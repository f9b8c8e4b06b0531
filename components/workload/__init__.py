"""The Klustered app (v1) and its Postgres: the Workload component, its manifests and the goal.

    from components.workload import Workload, WorkloadArgs

Public names load their module on first use (the renderers import without the SDKs).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from components.workload.component import (
        Workload,
        WorkloadArgs,
    )
    from components.workload.goal_check import (
        render_goal_check,
    )
    from components.workload.manifests import (
        WorkloadSpec,
        workload_manifests,
    )

_EXPORTS = {
    "Workload": "components.workload.component",
    "WorkloadArgs": "components.workload.component",
    "render_goal_check": "components.workload.goal_check",
    "WorkloadSpec": "components.workload.manifests",
    "workload_manifests": "components.workload.manifests",
}
__all__ = [
    "Workload",
    "WorkloadArgs",
    "WorkloadSpec",
    "render_goal_check",
    "workload_manifests",
]


def __getattr__(name: str) -> Any:
    """Load a public name's module on first use."""
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
