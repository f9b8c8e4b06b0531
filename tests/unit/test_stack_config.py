"""The stack-config contract: defaults, overrides, and all errors reported at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from klustered.config import StackConfigError, validate_stack_config

REPO = Path(__file__).resolve().parents[2]
GCP = {"klustered:machines": {"provider": "gcp", "gcp": {"project": "test-project"}}}
SCW = "11111111-2222-4333-8444-555555555555"


def _validate(extra: dict[str, Any]) -> Any:
    return validate_stack_config({**GCP, **extra}, REPO)


def test_defaults_are_the_documented_ones() -> None:
    cfg = _validate({"klustered:teams": [{"name": "blue"}]})
    assert cfg.kubernetes.version == "1.34"
    assert cfg.kubernetes.pod_cidr == "10.244.0.0/16"
    assert cfg.kubernetes.service_cidr == "10.96.0.0/12"
    assert cfg.mesh.cidr == "10.254.0.0/24"
    assert cfg.mesh.mtu is None  # derived per team from its machines' underlay
    assert cfg.machines.provider == "gcp"
    assert cfg.machines.scaleway.zone == "fr-par-2"
    assert cfg.machines.scaleway.offer == "EM-A610R-NVME"
    assert cfg.machines.scaleway.os == "Ubuntu 24.04 LTS (Noble Numbat)"
    assert cfg.mesh.port == 51820
    assert cfg.teams[0].control_planes == 1
    assert cfg.machines.gcp.machine_type == "e2-standard-4"


def test_team_override_replaces_only_the_fields_it_sets() -> None:
    cfg = _validate(
        {
            "klustered:machines": {
                "provider": "scaleway",
                "scaleway": {"project": SCW, "zone": "nl-ams-1"},
                "gcp": {"project": "test-project-g", "zone": "us-east1-b"},
            },
            "klustered:mesh": {"enabled": True},
            "klustered:teams": [
                {"name": "blue", "machines": {"scaleway": {"offer": "em-b112x-ssd"}}},
                {"name": "green", "machines": {"provider": "gcp"}},
            ],
        }
    )
    blue = cfg.team_machines(cfg.teams[0])
    assert (blue.provider, blue.scaleway.zone, blue.scaleway.offer) == (
        "scaleway",
        "nl-ams-1",
        "EM-B112X-SSD",
    )
    green = cfg.team_machines(cfg.teams[1])
    assert (green.provider, green.gcp.zone) == ("gcp", "us-east1-b")


def test_workers_may_use_another_substrate_when_the_mesh_is_on() -> None:
    cfg = _validate(
        {
            "klustered:machines": {
                "provider": "scaleway",
                "scaleway": {"project": SCW},
                "gcp": {"project": "test-project-g"},
            },
            "klustered:mesh": {"enabled": True},
            "klustered:teams": [{"name": "blue", "workerMachines": {"provider": "gcp"}}],
        }
    )
    team = cfg.teams[0]
    assert cfg.team_machines(team).provider == "scaleway"
    assert cfg.team_machines(team, worker=True).provider == "gcp"


def test_every_error_is_reported_at_once() -> None:
    with pytest.raises(StackConfigError) as caught:
        _validate(
            {
                "klustered:teams": [
                    {"name": "Blue", "workers": -1},
                    {"name": "green", "controlPlanes": 2, "colour": "x"},
                ]
            }
        )
    paths = [e.path for e in caught.value.errors]
    assert paths == [
        "teams[0].name",
        "teams[0].workers",
        "teams[1].controlPlanes",
        "teams[1].colour",
    ]


def test_keys_of_other_namespaces_are_left_to_their_providers() -> None:
    cfg = _validate({"gcp:project": "x", "klustered:teams": [{"name": "blue"}]})
    assert cfg.teams[0].name == "blue"


def test_exact_patch_versions_are_accepted() -> None:
    cfg = _validate(
        {"klustered:kubernetes": {"version": "1.33.4"}, "klustered:teams": [{"name": "b"}]}
    )
    assert cfg.kubernetes.minor == "1.33"


def test_schema_and_cross_field_problems_are_reported_in_one_run() -> None:
    with pytest.raises(StackConfigError) as caught:
        _validate(
            {
                "klustered:kubernetes": {"podCidr": "10.96.0.0/16"},
                "klustered:mesh": {"mtu": 9999},
                "klustered:teams": [
                    {"name": "blue", "workers": -1},
                    {"name": "green", "breaks": [{"id": "no-such-break"}]},
                    {"name": "green"},
                ],
            }
        )
    paths = [e.path for e in caught.value.errors]
    # Schema problems of two sections, then the rules across what validated: the overlap
    # (kubernetes validated), the repeated team name and the unknown break (teams 1 and 2).
    assert paths == [
        "mesh.mtu",
        "teams[0].workers",
        "teams[2].name",
        "kubernetes.serviceCidr",
        "teams[1].breaks[0].id",
    ]


def test_a_rule_reading_a_broken_section_stays_quiet() -> None:
    # The mesh section is broken: the mesh size rule does not guess with its defaults.
    with pytest.raises(StackConfigError) as caught:
        _validate(
            {
                "klustered:mesh": {"enabled": True, "cidr": "10.254.0.0/30", "port": 0},
                "klustered:teams": [{"name": "blue", "workers": 3}],
            }
        )
    assert [e.path for e in caught.value.errors] == ["mesh.port"]


def test_warnings_leave_the_stack_valid() -> None:
    from klustered.config import check_stack_config

    result = check_stack_config({**GCP, "klustered:teams": [{"name": "blue"}]}, REPO)
    assert result.ok
    assert result.config is not None
    assert result.warnings == []
