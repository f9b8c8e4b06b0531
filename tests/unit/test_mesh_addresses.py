"""The mesh address plan: a block of 32 per team, fixed offsets, stable under add/remove."""

from __future__ import annotations

import ipaddress

import pytest

from components.mesh.addresses import mesh_addresses


def test_control_planes_and_workers_get_fixed_offsets_in_their_team_block() -> None:
    plan = mesh_addresses("10.254.0.0/24", [("blue", 3, 2), ("red", 1, 1)])

    assert {name: str(addr) for name, addr in plan.items()} == {
        "blue-control-plane-1": "10.254.0.1/24",
        "blue-control-plane-2": "10.254.0.2/24",
        "blue-control-plane-3": "10.254.0.3/24",
        "blue-worker-1": "10.254.0.6/24",
        "blue-worker-2": "10.254.0.7/24",
        "red-control-plane-1": "10.254.0.33/24",
        "red-worker-1": "10.254.0.38/24",
    }


def test_adding_or_removing_nodes_never_moves_another_node() -> None:
    before = mesh_addresses("10.254.0.0/24", [("blue", 1, 3), ("red", 3, 0)])
    after = mesh_addresses("10.254.0.0/24", [("blue", 3, 1), ("red", 1, 5)])

    common = before.keys() & after.keys()
    assert common == {
        "blue-control-plane-1",
        "blue-worker-1",
        "red-control-plane-1",
    }
    assert all(before[name] == after[name] for name in common)


def test_addresses_carry_the_cidr_prefix_length() -> None:
    plan = mesh_addresses("100.64.0.0/16", [("blue", 1, 0)])

    assert plan["blue-control-plane-1"] == ipaddress.IPv4Interface("100.64.0.1/16")


def test_a_team_can_have_26_workers_but_not_27() -> None:
    plan = mesh_addresses("10.254.0.0/24", [("blue", 5, 26)])
    assert str(plan["blue-worker-26"]) == "10.254.0.31/24"
    assert len(set(plan.values())) == 31

    with pytest.raises(ValueError, match=r"team blue has 27 workers.*at most 26"):
        mesh_addresses("10.254.0.0/24", [("blue", 1, 27)])


def test_more_than_five_control_planes_are_refused() -> None:
    with pytest.raises(ValueError, match="team blue has 6 control planes"):
        mesh_addresses("10.254.0.0/24", [("blue", 6, 0)])


def test_a_cidr_too_small_for_the_teams_names_the_prefix_that_fits() -> None:
    teams = [(f"t{i}", 1, 1) for i in range(9)]

    with pytest.raises(ValueError, match=r"holds 8 team block.*9 teams.*at most /23"):
        mesh_addresses("10.254.0.0/24", teams)


def test_the_broadcast_address_of_the_cidr_is_never_handed_out() -> None:
    with pytest.raises(ValueError, match="broadcast address"):
        mesh_addresses("10.254.0.0/27", [("blue", 1, 26)])
    assert str(mesh_addresses("10.254.0.0/27", [("blue", 1, 25)])["blue-worker-25"]) == (
        "10.254.0.30/27"
    )


def test_a_cidr_that_is_not_a_network_is_refused() -> None:
    with pytest.raises(ValueError, match="not an IPv4 network"):
        mesh_addresses("10.254.0.1/24", [("blue", 1, 0)])


def test_repeated_team_names_are_refused() -> None:
    with pytest.raises(ValueError, match="repeated: blue"):
        mesh_addresses("10.254.0.0/24", [("blue", 1, 0), ("blue", 1, 0)])
