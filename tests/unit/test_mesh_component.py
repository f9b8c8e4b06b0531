"""The Mesh component under Pulumi's mock engine: keys, secrets, peers, stable resources."""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Awaitable, Callable
from typing import Any

import pulumi
import pytest
from pulumi_command import remote

from components.mesh.addresses import mesh_addresses
from components.mesh.component import Mesh, MeshArgs, MeshNodeArgs
from components.nodes import node_slots

# The Python SDK's wire marker for a secret value (pulumi.runtime.rpc).
SECRET_SIG = ("4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270")
RANDOM_BYTES = "random:index/randomBytes:RandomBytes"


class RecordingMocks(pulumi.runtime.Mocks):
    """Records every registration; RandomBytes returns 32 real random bytes."""

    def __init__(self) -> None:
        self.resources: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        self.resources.append(args)
        outputs = dict(args.inputs)
        if args.typ == RANDOM_BYTES:
            raw = os.urandom(int(args.inputs["length"]))
            outputs.update(base64=base64.b64encode(raw).decode(), hex=raw.hex())
        return f"{args.name}-id", outputs

    def call(
        self, args: pulumi.runtime.MockCallArgs
    ) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


def run(program: Callable[[], Awaitable[dict[str, Any]]]) -> tuple[RecordingMocks, dict[str, Any]]:
    """Run `program` in a fresh mock engine; return the recorder and what the program resolved."""
    mocks = RecordingMocks()
    pulumi.runtime.set_mocks(mocks, preview=False)
    result: dict[str, Any] = {}

    def wrapped() -> pulumi.Output[None]:
        async def body() -> None:
            result.update(await program())

        return pulumi.Output.from_input(body())

    runner: Callable[[], None] = pulumi.runtime.test(wrapped)  # type: ignore[no-untyped-call]
    runner()
    return mocks, result


async def resolve(output: pulumi.Output[str]) -> tuple[str, bool]:
    """The value of `output` and whether it is secret."""
    value = await output.future()
    assert value is not None
    return value, await output.is_secret()


def mesh_args(
    team: str, control_planes: int, workers: int, cidr_teams: list[tuple[str, int, int]]
) -> MeshArgs:
    addresses = mesh_addresses("10.254.0.0/24", cidr_teams)
    nodes: list[MeshNodeArgs] = []
    for n, slot in enumerate(node_slots(team, control_planes, workers), start=1):
        public_ip: pulumi.Input[str] = pulumi.Output.from_input(f"203.0.113.{n + 10 * len(team)}")
        nodes.append({"slot": slot, "public_ip": public_ip, "address": str(addresses[slot.name])})
    return {
        "team": team,
        "cidr": "10.254.0.0/24",
        "port": 51820,
        "mtu": 1420,
        "keepalive": 25,
        "nodes": nodes,
    }


TEAMS = [("blue", 3, 1), ("red", 1, 1)]


async def two_team_program() -> dict[str, Any]:
    meshes = {team: Mesh(f"{team}-mesh", mesh_args(team, cp, w, TEAMS)) for team, cp, w in TEAMS}
    out: dict[str, Any] = {}
    for team, mesh in meshes.items():
        for name, node in mesh.nodes.items():
            # What the cluster does with the phase: send it on stdin to the node.
            remote.Command(
                f"{name}-mesh-phase",
                connection=remote.ConnectionArgs(host="203.0.113.200"),
                create="bash -s",
                stdin=node.phase_script,
                logging=remote.Logging.NONE,
            )
            out[name] = {
                "team": team,
                "address": str(node.address),
                "public_key": await resolve(node.public_key),
                "config": await resolve(node.config),
                "phase": await resolve(node.phase_script),
                "files": sorted(mesh.rendered_files),
            }
    return out


def private_keys(nodes: dict[str, Any]) -> dict[str, str]:
    return {
        name: re.search(r"PrivateKey = (\S+)", node["config"][0]).group(1)  # type: ignore[union-attr]
        for name, node in nodes.items()
    }


def plain_strings(value: Any) -> list[str]:
    """Every string in a recorded input that is NOT inside a secret envelope."""
    if isinstance(value, dict):
        if value.get(SECRET_SIG[0]) == SECRET_SIG[1]:
            return []
        return [s for v in value.values() for s in plain_strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in plain_strings(v)]
    return [value] if isinstance(value, str) else []


def secret_strings(value: Any, inside: bool = False) -> list[str]:
    """Every string in a recorded input that IS inside a secret envelope."""
    if isinstance(value, dict):
        inside = inside or value.get(SECRET_SIG[0]) == SECRET_SIG[1]
        return [s for v in value.values() for s in secret_strings(v, inside)]
    if isinstance(value, list):
        return [s for v in value for s in secret_strings(v, inside)]
    return [value] if isinstance(value, str) and inside else []


def test_private_keys_appear_only_in_secret_inputs() -> None:
    mocks, nodes = run(two_team_program)
    keys = private_keys(nodes)

    plain = [s for r in mocks.resources for s in plain_strings(r.inputs)]
    secret = [s for r in mocks.resources for s in secret_strings(r.inputs)]
    assert len(keys) == 6
    for name, key in keys.items():
        assert not any(key in s for s in plain), f"{name}'s private key is in a plain input"
        assert any(key in s for s in secret), f"{name}'s phase never reached a secret input"


def test_configs_and_phases_are_secret_and_public_keys_are_not() -> None:
    _, nodes = run(two_team_program)

    for name, node in nodes.items():
        assert node["config"][1], f"{name} config"
        assert node["phase"][1], f"{name} phase"
        assert not node["public_key"][1], f"{name} public key"


def test_each_node_peers_with_exactly_its_teammates() -> None:
    _, nodes = run(two_team_program)

    for name, node in nodes.items():
        config = node["config"][0]
        peer_keys = set(re.findall(r"PublicKey = (\S+)", config))
        teammates = {n for n, other in nodes.items() if other["team"] == node["team"] and n != name}
        assert peer_keys == {nodes[t]["public_key"][0] for t in teammates}, name
        allowed = set(re.findall(r"AllowedIPs = (\S+)", config))
        assert allowed == {nodes[t]["address"].split("/")[0] + "/32" for t in teammates}, name


def test_public_key_is_derived_from_the_private_key_in_the_config() -> None:
    _, nodes = run(two_team_program)
    from components.mesh.keys import key_pair_from_base64

    for name, key in private_keys(nodes).items():
        assert key_pair_from_base64(key).public_key == nodes[name]["public_key"][0]


def test_one_random_bytes_of_32_per_node_parented_to_its_mesh() -> None:
    mocks, _ = run(two_team_program)

    seeds = [r for r in mocks.resources if r.typ == RANDOM_BYTES]
    assert sorted(r.name for r in seeds) == sorted(
        f"{team}-mesh-{slot.name}-key" for team, cp, w in TEAMS for slot in node_slots(team, cp, w)
    )
    assert all(r.inputs == {"length": 32} for r in seeds)
    meshes = [r for r in mocks.resources if r.typ == "klustered:mesh:Mesh"]
    assert sorted(r.name for r in meshes) == ["blue-mesh", "red-mesh"]


def test_rendered_files_list_wg0_conf_and_the_phase_per_node() -> None:
    _, nodes = run(two_team_program)

    assert nodes["red-worker-1"]["files"] == [
        "red-control-plane-1/42-mesh.sh",
        "red-control-plane-1/wg0.conf",
        "red-worker-1/42-mesh.sh",
        "red-worker-1/wg0.conf",
    ]
    assert nodes["red-worker-1"]["config"][0] in nodes["red-worker-1"]["phase"][0]


def test_adding_a_worker_changes_peers_but_no_key_resource() -> None:
    def program(workers: int) -> Callable[[], Awaitable[dict[str, Any]]]:
        async def body() -> dict[str, Any]:
            mesh = Mesh("blue-mesh", mesh_args("blue", 1, workers, [("blue", 1, workers)]))
            return {n: (await resolve(m.config))[0] for n, m in mesh.nodes.items()}

        return body

    before_mocks, before = run(program(1))
    after_mocks, after = run(program(2))

    def seeds(mocks: RecordingMocks) -> dict[str, dict[str, Any]]:
        return {r.name: r.inputs for r in mocks.resources if r.typ == RANDOM_BYTES}

    old, new = seeds(before_mocks), seeds(after_mocks)
    assert set(new) - set(old) == {"blue-mesh-blue-worker-2-key"}
    assert all(new[name] == old[name] for name in old)
    assert before["blue-control-plane-1"].count("[Peer]") == 1
    assert after["blue-control-plane-1"].count("[Peer]") == 2
    assert "AllowedIPs = 10.254.0.7/32" in after["blue-control-plane-1"]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda a: a.update(team="red"), "belongs to team blue"),
        (lambda a: a["nodes"][1].update(address=a["nodes"][0]["address"]), "repeats address"),
        (lambda a: a["nodes"][0].update(address="10.253.0.1/24"), "not a host of"),
        (lambda a: a.update(nodes=[]), "no nodes"),
    ],
)
def test_inconsistent_args_are_refused_before_any_key_is_made(
    mutate: Callable[[MeshArgs], None], message: str
) -> None:
    def program() -> Callable[[], Awaitable[dict[str, Any]]]:
        async def body() -> dict[str, Any]:
            args = mesh_args("blue", 1, 1, [("blue", 1, 1)])
            mutate(args)
            with pytest.raises(ValueError, match=message):
                Mesh("blue-mesh", args)
            return {}

        return body

    mocks, _ = run(program())
    assert not [r for r in mocks.resources if r.typ == RANDOM_BYTES]
