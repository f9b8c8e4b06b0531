"""The Klustered app (v1) and its Postgres: the Workload component, its manifests and the goal.

    from components.workload import Workload, WorkloadArgs

Public names load their module on first use (the renderers import without the SDKs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.lazy_exports import lazy_exports

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


__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)
