"""A stack with KlusteredBench's baseline and scenario directories in its format plans.

The expectations about KlusteredBench's baseline are read from its
projects/klusteredbench/scenarios/_lib/setup.sh (rawkode-academy/rawkode-academy).
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from conftest import REPO

from breaks.baseline import baseline_mismatches
from breaks.catalog import load_catalog
from breaks.scenario import load_scenario
from klustered.plan import OfflineRun, plan_stack
from klustered.stackfile import load_stack_file

STACK = REPO / "tests/stacks/klusteredbench/Pulumi.klusteredbench.yaml"
SCENARIOS = REPO / "tests/stacks/klusteredbench/scenarios"
COMMAND = "command:remote:Command"


@pytest.fixture(scope="module")
def planned() -> tuple[OfflineRun, dict[str, str]]:
    plan = plan_stack(load_stack_file(str(STACK)))
    return plan.run, plan.files


def _objects(run: OfflineRun, team: str) -> dict[tuple[str, str], dict[str, Any]]:
    [group] = [g for g in run.by_type("kubernetes:yaml/v2:ConfigGroup") if f"-{team}-" in g.name]
    return {(o["kind"], o["metadata"]["name"]): o for o in group.inputs["objs"]}


def test_the_workload_is_klusteredbench_baseline(planned: tuple[OfflineRun, Any]) -> None:
    objs = _objects(planned[0], "bench")
    assert list(objs) == [
        ("ConfigMap", "postgresql"),
        ("Deployment", "database"),
        ("Service", "postgres"),
        ("Deployment", "klustered"),
        ("Service", "klustered"),
    ]
    db = objs[("Deployment", "database")]["spec"]
    assert db["strategy"] == {"type": "Recreate"}
    assert db["selector"] == {"matchLabels": {"app": "postgresql"}}
    [pg] = db["template"]["spec"]["containers"]
    assert (pg["name"], pg["image"]) == ("postgresql", "postgres:16")
    assert [(e["name"], e["value"]) for e in pg["env"]] == [
        ("POSTGRES_USER", "postgres"),
        ("POSTGRES_DB", "klustered"),
        ("POSTGRES_PASSWORD", "postgresql123"),
    ]
    assert pg["ports"] == [{"containerPort": 5432}]
    assert objs[("Service", "postgres")]["spec"] == {
        "selector": {"app": "postgresql"},
        "ports": [{"port": 5432}],
    }
    app = objs[("Deployment", "klustered")]["spec"]
    assert app["strategy"] == {"type": "Recreate"}
    [container] = app["template"]["spec"]["containers"]
    assert container == {
        "name": "klustered",
        "image": "ghcr.io/rawkode-academy/klustered:v1",
        "ports": [{"containerPort": 666}],
        "resources": {"limits": {"memory": "128Mi", "cpu": "500m"}},
    }
    svc = objs[("Service", "klustered")]["spec"]
    assert svc == {
        "type": "NodePort",
        "ports": [{"port": 666, "nodePort": 30000}],
        "selector": {"app": "klustered"},
    }
    assert all("labels" not in o["metadata"] for o in objs.values()), "none in setup.sh"


def test_the_scenario_directories_load_unchanged() -> None:
    for directory in sorted(SCENARIOS.iterdir()):
        scenario = load_scenario(directory)
        assert not any(text.startswith("#!") for text in scenario.scripts.values())
        assert scenario.spec.layer is None and "targets" not in scenario.spec.model_fields_set


def test_node_level_means_every_control_plane(planned: tuple[OfflineRun, Any]) -> None:
    run, _files = planned
    [brk] = [
        b
        for b in run.by_type("klustered:breaks:Break")
        if b.name.endswith("ha-break-controller-flag")
    ]
    breaks = sorted(
        r.name.rsplit("-60-break-", 1)[1]
        for r in run.descendants_of(brk.urn)
        if r.type == COMMAND and "-60-break-" in r.name
    )
    assert breaks == ["ha-control-plane-1", "ha-control-plane-2", "ha-control-plane-3"]


def test_the_breaks_of_a_team_run_one_after_the_other(planned: tuple[OfflineRun, Any]) -> None:
    run, files = planned
    names = ["level-gates", "controller-flag", "database-gate"]
    for before, after in itertools.pairwise(names):
        first = run.named(f"episode-bench-break-{after}-59-stage-solve-bench-control-plane-1")
        last = run.named(f"episode-bench-break-{before}-70-verify-red")
        brk = run.named(f"episode-bench-break-{before}")
        assert {last.urn, brk.urn} & set(first.dependencies), (before, after)
    steps = {
        n: sorted(k.rsplit("/", 1)[1] for k in files if k.startswith(f"bench/breaks/{n}/"))
        for n in names
    }
    assert steps["level-gates"] == [
        "10-verify-before.sh", "59-stage-solve.sh", "60-break.sh", "65-access-check.sh",
        "70-verify-red.sh", "80-solve-on-destroy.sh",
    ]  # fmt: skip
    assert steps["controller-flag"] == [
        "59-stage-solve.sh", "60-break.sh", "65-access-check.sh", "70-verify-red.sh",
        "80-solve-on-destroy.sh",
    ]  # fmt: skip


def test_a_level_that_asks_for_v2_is_checked_against_the_deployed_v1(
    planned: tuple[OfflineRun, Any],
) -> None:
    _run, files = planned
    before = files["bench/breaks/level-gates/10-verify-before.sh"]
    red = files["bench/breaks/level-gates/70-verify-red.sh"]
    for step in (before, red):
        assert "kb_app_ok v2" not in _decoded(step)
        assert "export EXPECTED_IMAGE=ghcr.io/rawkode-academy/klustered:v1" in _decoded(step)


def _decoded(step: str) -> str:
    import base64
    import re

    match = re.search(r"^export VERIFY_SCRIPTS_B64=(?:'([^']*)'|(\S+))", step, re.MULTILINE)
    assert match is not None
    return "".join(
        base64.b64decode(e).decode() for e in (match.group(1) or match.group(2)).split("\n") if e
    )


def test_scenarios_naming_another_baselines_objects_are_found() -> None:
    gate = load_scenario(SCENARIOS / "database-gate")
    assert baseline_mismatches(gate, "klusteredbench") == []
    found = [str(m) for m in baseline_mismatches(gate, "show")]
    assert found == [
        "break.sh:2 names deployment/database, which the show baseline does not have",
        "solve.sh:2 names deployment/database, which the show baseline does not have",
    ]


def test_catalog_breaks_fit_both_baselines() -> None:
    for scenario in load_catalog():
        for baseline in ("show", "klusteredbench"):
            assert baseline_mismatches(scenario, baseline) == [], scenario.id


def test_validate_warns_about_a_klusteredbench_scenario_on_the_show_baseline() -> None:
    from klustered.config.validate import check_stack_config

    raw: dict[str, Any] = {
        "klustered:machines": {"provider": "gcp", "gcp": {"project": "test-project"}},
        "klustered:teams": [
            {
                "name": "blue",
                "breaks": [{"path": "tests/stacks/klusteredbench/scenarios/database-gate"}],
            }
        ],
    }
    shown = check_stack_config(raw, REPO)
    assert shown.ok
    assert [str(w) for w in shown.warnings] == [
        "teams[0].breaks[0]: break.sh:2 names deployment/database, which the show baseline "
        "does not have",
        "teams[0].breaks[0]: solve.sh:2 names deployment/database, which the show baseline "
        "does not have",
    ]
    raw["klustered:workload"] = {"baseline": "klusteredbench"}
    assert check_stack_config(raw, REPO).warnings == []
