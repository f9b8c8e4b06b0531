"""The scenario format: KlusteredBench directories load unchanged; our fields are checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from breaks.catalog import load_catalog, resolve_scenario
from breaks.scenario import (
    Layer,
    ScenarioError,
    load_scenario,
    param_env_name,
    resolve_params,
    scenario_from_inline,
)
from breaks.targets import TargetError, resolve_targets
from components.nodes import node_slots

# A scenario exactly as KlusteredBench ships one (its fields, no shebangs, verify.sh).
KB_SCENARIO = """\
id: service-selector-typo
title: Service selector points at nobody
difficulty: easy
tags: [workload, networking, service]
source: labs.iximiuz.com/klustered-l1 (bug 2)
timeout: 10m
nodeLevel: false
prompt: |
  The "klustered" web application should be reachable on NodePort 30000.
solution: |
  The Service selector is `app: klustred`. Fix the selector.
"""


def write_scenario(root: Path, name: str, yaml_text: str, **files: str) -> Path:
    directory = root / name
    directory.mkdir()
    (directory / "scenario.yaml").write_text(yaml_text)
    for file_name, text in files.items():
        (directory / file_name.replace("_", ".")).write_text(text)
    return directory


def test_a_klusteredbench_scenario_loads_unchanged(tmp_path: Path) -> None:
    d = write_scenario(
        tmp_path,
        "service-selector-typo",
        KB_SCENARIO,
        break_sh="set -euo pipefail\nkubectl patch svc klustered\n",
        solve_sh="set -euo pipefail\nkubectl patch svc klustered\n",
        verify_sh="kb_app_ok\n",
    )
    s = load_scenario(d)
    assert s.id == "service-selector-typo"
    assert s.spec.timeout == "10m"
    assert s.spec.node_level is False
    assert s.spec.tags == ["workload", "networking", "service"]
    assert set(s.scripts) == {"break", "solve", "verify"}
    assert s.is_api, "targets defaults to the API, as KlusteredBench runs scripts with kubectl"


def test_klusteredbench_scripts_mapping_renames_files(tmp_path: Path) -> None:
    d = write_scenario(
        tmp_path,
        "service-selector-typo",
        KB_SCENARIO + "scripts:\n  break: apply.sh\n",
        apply_sh="true\n",
        solve_sh="true\n",
    )
    s = load_scenario(d)
    assert s.files["break"] == "apply.sh"
    assert s.scripts["break"] == "true\n"


def test_unknown_keys_are_rejected(tmp_path: Path) -> None:
    d = write_scenario(
        tmp_path,
        "service-selector-typo",
        KB_SCENARIO + "layerz: dns\n",
        break_sh="true\n",
        solve_sh="true\n",
    )
    with pytest.raises(ScenarioError, match="layerz"):
        load_scenario(d)


def test_a_missing_solve_script_is_refused(tmp_path: Path) -> None:
    d = write_scenario(tmp_path, "service-selector-typo", KB_SCENARIO, break_sh="true\n")
    with pytest.raises(ScenarioError, match=r"solve\.sh is missing"):
        load_scenario(d)


def test_the_id_must_match_the_directory(tmp_path: Path) -> None:
    d = write_scenario(tmp_path, "other-name", KB_SCENARIO, break_sh="true\n", solve_sh="true\n")
    with pytest.raises(ScenarioError, match="must match the directory name"):
        load_scenario(d)


def test_our_fields_are_validated(tmp_path: Path) -> None:
    extra = "layer: kernel\ntargets: masters\nparams:\n  maxPods: {type: int, default: one}\n"
    d = write_scenario(
        tmp_path, "service-selector-typo", KB_SCENARIO + extra, break_sh="x", solve_sh="x"
    )
    with pytest.raises(ScenarioError) as caught:
        load_scenario(d)
    text = str(caught.value)
    assert "layer" in text
    assert "targets" in text
    assert "param maxPods: default expected int" in text


def test_param_env_names_are_upper_snake_case() -> None:
    assert param_env_name("maxPods") == "KLUSTERED_PARAM_MAX_PODS"
    assert param_env_name("peerUrl") == "KLUSTERED_PARAM_PEER_URL"
    assert param_env_name("version") == "KLUSTERED_PARAM_VERSION"


def test_params_take_defaults_and_overrides_and_reject_the_rest() -> None:
    spec = resolve_scenario(id="kubelet-maxpods").spec
    assert resolve_params(spec, {}) == {"KLUSTERED_PARAM_MAX_PODS": "1"}
    assert resolve_params(spec, {"maxPods": 7}) == {"KLUSTERED_PARAM_MAX_PODS": "7"}
    with pytest.raises(ScenarioError, match=r"params\.maxPods: expected int, got str"):
        resolve_params(spec, {"maxPods": "7"})
    with pytest.raises(ScenarioError, match=r"params\.maxpods: not declared"):
        resolve_params(spec, {"maxpods": 7})
    with pytest.raises(ScenarioError, match="expected int, got bool"):
        resolve_params(spec, {"maxPods": True})


def test_inline_scenarios_mirror_a_directory() -> None:
    s = scenario_from_inline(
        {
            "id": "team-secret",
            "title": "Ours",
            "difficulty": "hard",
            "prompt": "Serve v2.",
            "layer": "kubelet",
            "targets": "workers",
            "secret": True,
            "files": {"break.sh": "true\n", "solve.sh": "true\n"},
        }
    )
    assert s.spec.secret
    assert s.spec.layer == Layer.KUBELET
    assert s.origin == "inline:team-secret"
    with pytest.raises(ScenarioError, match=r"files\.solve\.sh is missing"):
        scenario_from_inline(
            {"id": "x", "title": "x", "difficulty": "easy", "prompt": "x", "files": {}}
        )


def test_resolve_scenario_needs_exactly_one_source(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="exactly one"):
        resolve_scenario(id="swap-reenabled", path=tmp_path)
    with pytest.raises(ScenarioError, match="no break 'nope' in the catalog"):
        resolve_scenario(id="nope")


def test_targets_select_nodes_by_role_name_or_api() -> None:
    slots = node_slots("blue", 3, 2)
    names = lambda ts: [s.name for s in resolve_targets(ts, slots)]  # noqa: E731
    assert names("api") == ["blue-control-plane-1"]
    assert names("workers") == ["blue-worker-1", "blue-worker-2"]
    assert names("control-plane") == [f"blue-control-plane-{i}" for i in (1, 2, 3)]
    assert len(names("all")) == 5
    assert names(["worker-2", "blue-control-plane-1"]) == [
        "blue-control-plane-1",
        "blue-worker-2",
    ]
    with pytest.raises(TargetError, match="worker-3"):
        resolve_targets(["worker-3"], slots)
    with pytest.raises(TargetError, match="has none"):
        resolve_targets("workers", node_slots("blue", 1, 0))


def test_the_catalog_has_25_credited_breaks_across_8_layers() -> None:
    catalog = load_catalog()
    assert len(catalog) >= 25
    assert len({s.spec.layer for s in catalog}) >= 8
    for s in catalog:
        assert s.spec.layer is not None, s.id
        assert s.spec.source and s.spec.credit, f"{s.id} names its episode and breaker"
        assert s.spec.solution and s.spec.hints, f"{s.id} has a solution and hints"
        assert "v2" in s.spec.prompt, f"{s.id}'s prompt states the goal"
