"""The mesh MTU follows the substrates: each team's smallest underlay minus WireGuard's 80,
in wg0.conf and in Cilium's values, unless mesh.mtu says otherwise (and fits)."""

from __future__ import annotations

import re

import pytest
import yaml
from conftest import run_stack

from components.machines.underlay import mesh_mtu
from klustered.config import StackConfigError, validate_stack_config
from klustered.plan import OfflineRun
from tests.machines_fixtures import host_private_key, stack

KEY = host_private_key("mtu")
LAB_HOSTS = {
    "control-plane-1": {"address": "192.0.2.10", "mtu": 9000},
    "worker-1": {"address": "192.0.2.11", "mtu": 1420},
}


def _mtus(run: OfflineRun, team: str) -> set[int]:
    """Every MTU the team's nodes are given: wg0.conf, the mesh phase, Cilium's values."""
    found: set[int] = set()
    for path, text in run.value.items():
        if not path.startswith(f"{team}/"):
            continue
        if path.endswith("wg0.conf"):
            found |= {int(m) for m in re.findall(r"^MTU = (\d+)$", text, re.M)}
        elif path.endswith("-mesh.sh"):
            found |= {int(m) for m in re.findall(r"^export WG_MTU='?(\d+)'?$", text, re.M)}
        elif path.endswith("cilium-values.yaml"):
            found.add(int(yaml.safe_load(text)["MTU"]))
    return found


@pytest.fixture(scope="module")
def mixed() -> OfflineRun:
    teams = [
        {"name": "cloud", "controlPlanes": 1, "workers": 1},
        {"name": "metal", "controlPlanes": 1, "workers": 1, "machines": {"provider": "scaleway"}},
        {
            "name": "both",
            "controlPlanes": 1,
            "workers": 1,
            "machines": {"provider": "scaleway"},
            "workerMachines": {"provider": "gcp"},
        },
        {"name": "lab", "workers": 1, "machines": {"provider": "existing"}, "hosts": LAB_HOSTS},
    ]
    return run_stack(stack(teams, ssh_key=KEY), stack="mtu")


def test_mesh_mtu_is_the_smallest_underlay_minus_80(mixed: OfflineRun) -> None:
    assert _mtus(mixed, "cloud") == {1380}  # GCP VPC 1460
    assert _mtus(mixed, "metal") == {1420}  # Elastic Metal 1500
    assert _mtus(mixed, "both") == {1380}  # the GCP worker sets the pace for the team
    assert _mtus(mixed, "lab") == {1340}  # the host that says 1420


def test_each_file_that_carries_an_mtu_was_checked(mixed: OfflineRun) -> None:
    kinds = {p.rsplit("/", 1)[1] for p in mixed.value if p.startswith("cloud/")}
    assert {"wg0.conf", "42-mesh.sh", "cilium-values.yaml"} <= kinds


def test_a_configured_mtu_that_fits_is_used_everywhere() -> None:
    run = run_stack(stack([{"name": "cloud", "workers": 1}], mtu=1300), stack="mtu")
    assert _mtus(run, "cloud") == {1300}


def test_a_configured_mtu_above_the_underlay_is_refused_naming_the_field() -> None:
    with pytest.raises(StackConfigError) as caught:
        validate_stack_config(stack([{"name": "cloud"}], mtu=1420))
    assert [str(e) for e in caught.value.errors] == [
        "mesh.mtu: 1420 is above 1380, the most team cloud allows: cloud-control-plane-1's "
        "network has MTU 1460 and WireGuard takes 80 (leave mesh.mtu out to derive it)"
    ]


def test_a_host_whose_mtu_leaves_no_room_for_the_mesh_is_refused() -> None:
    team = {
        "name": "lab",
        "workers": 0,
        "machines": {"provider": "existing"},
        "hosts": {"control-plane-1": {"address": "192.0.2.10", "mtu": 1300}},
    }
    with pytest.raises(StackConfigError) as caught:
        validate_stack_config(stack([team], ssh_key=KEY))
    assert [str(e) for e in caught.value.errors] == [
        "teams[0].hosts.control-plane-1.mtu: 1300 leaves 1220 for the mesh, below "
        "WireGuard's 1280 (needs at least 1360)"
    ]


def test_mesh_mtu_function_refuses_what_wireguard_cannot_carry() -> None:
    assert mesh_mtu([1500, 1460]) == 1380
    with pytest.raises(ValueError, match="below WireGuard's 1280"):
        mesh_mtu([1300])
