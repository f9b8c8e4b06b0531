"""Which workload objects a scenario's scripts name, against the objects a baseline has.

A KlusteredBench scenario patches `deployment database`; the show's baseline has a
StatefulSet `postgresql` instead. Such a script would fail (or bite nothing) on that team's
cluster, so `validate` warns. Only the objects that tell the two baselines apart are
looked for: names a script creates itself are none of this module's business. Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from breaks.scenario import Scenario

BASELINE_OBJECTS: dict[str, frozenset[tuple[str, str]]] = {
    "show": frozenset(
        {
            ("deployment", "klustered"),
            ("statefulset", "postgresql"),
            ("service", "postgres"),
            ("service", "klustered"),
            ("configmap", "postgresql"),
        }
    ),
    "klusteredbench": frozenset(
        {
            ("deployment", "klustered"),
            ("deployment", "database"),
            ("service", "postgres"),
            ("service", "klustered"),
            ("configmap", "postgresql"),
        }
    ),
}
"""The objects each baseline creates in the app's namespace (kind, name)."""

_KINDS = {
    "deployment": "deployment",
    "deployments": "deployment",
    "deploy": "deployment",
    "deployment.apps": "deployment",
    "statefulset": "statefulset",
    "statefulsets": "statefulset",
    "sts": "statefulset",
    "statefulset.apps": "statefulset",
    "service": "service",
    "services": "service",
    "svc": "service",
    "configmap": "configmap",
    "configmaps": "configmap",
    "cm": "configmap",
}
_REFERENCE = re.compile(
    r"\b(" + "|".join(sorted((re.escape(k) for k in _KINDS), key=len, reverse=True)) + r")"
    r"(?:/|\s+)([a-z0-9][a-z0-9.-]*[a-z0-9])\b"
)
_OTHER_NAMESPACE = re.compile(r"(-n|--namespace)[ =](?!default\b)[a-z0-9-]+|-A\b|--all-namespaces")


@dataclass(frozen=True)
class BaselineMismatch:
    """A script line naming an object of the other baseline."""

    file: str
    line: int
    kind: str
    name: str
    baseline: str

    def __str__(self) -> str:
        return (
            f"{self.file}:{self.line} names {self.kind}/{self.name}, which the "
            f"{self.baseline} baseline does not have"
        )


def baseline_mismatches(scenario: Scenario, baseline: str) -> list[BaselineMismatch]:
    """Lines of `scenario`'s scripts that name baseline objects `baseline` lacks."""
    if baseline not in BASELINE_OBJECTS:
        raise ValueError(f"unknown baseline {baseline!r}")
    have = BASELINE_OBJECTS[baseline]
    known = frozenset().union(*BASELINE_OBJECTS.values())
    out: list[BaselineMismatch] = []
    for kind_of_script, text in scenario.scripts.items():
        file = scenario.files.get(kind_of_script, f"{kind_of_script}.sh")
        for number, line in enumerate(text.splitlines(), start=1):
            code = line.split("#", 1)[0]
            if "kubectl" not in code or _OTHER_NAMESPACE.search(code):
                continue
            for word, name in _REFERENCE.findall(code):
                ref = (_KINDS[word], name)
                if ref in known and ref not in have:
                    out.append(BaselineMismatch(file, number, ref[0], name, baseline))
    return out
