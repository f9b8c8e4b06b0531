"""The episode under the mock engine: machines, bootstrap wiring, secrets and parallelism."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from components.cluster.pki import bootstrap_token_from_random
from components.mesh.keys import key_pair_from_base64
from klustered.offline import Registration
from klustered.plan import OfflineRun, graph_json

RunEpisode = Callable[..., OfflineRun]
COMMAND = "command:remote:Command"
MACHINE_TYPES = {"scaleway:elasticmetal/server:Server", "gcp:compute/instance:Instance"}
SCALEWAY_PROJECT = "11111111-2222-4333-8444-555555555555"


def _stack(teams: list[dict[str, Any]], mesh: bool = True) -> dict[str, Any]:
    return {
        "klustered:machines": {
            "provider": "gcp",
            "gcp": {"project": "test-project"},
            "scaleway": {"project": SCALEWAY_PROJECT},
        },
        "klustered:mesh": {"enabled": mesh},
        "klustered:teams": teams,
    }


TWO_TEAMS = _stack(
    [
        {"name": "blue", "controlPlanes": 3, "workers": 2, "guests": ["octocat"]},
        {
            "name": "green",
            "controlPlanes": 1,
            "workers": 1,
            "machines": {"provider": "scaleway"},
            "workerMachines": {"provider": "gcp"},
        },
    ]
)


@pytest.fixture(scope="module")
def two_teams() -> OfflineRun:
    from conftest import run_stack

    return run_stack(TWO_TEAMS, stack="two-teams")


def _team_of(run: OfflineRun, reg: Registration) -> str | None:
    by_urn = {r.urn: r for r in run.registrations}
    current: Registration | None = reg
    while current is not None:
        if current.type == "klustered:episode:Team":
            return current.name.removeprefix("episode-")
        current = by_urn.get(current.parent)
    return None


def _waits_for(run: OfflineRun, reg: Registration) -> set[str]:
    """Every URN `reg` waits for, directly or through what it waits for."""
    by_urn = {r.urn: r for r in run.registrations}
    seen: set[str] = set()
    frontier = [reg.urn]
    while frontier:
        current = by_urn[frontier.pop()]
        deps = set(current.dependencies)
        for more in current.property_dependencies.values():
            deps.update(more)
        for dep in deps - seen:
            seen.add(dep)
            if dep in by_urn:
                frontier.append(dep)
    return seen


def _secret_strings(run: OfflineRun) -> set[str]:
    """Every secret value the program made, and the forms it reaches nodes in."""
    found: set[str] = set()
    for reg in run.registrations:
        out = reg.outputs
        if reg.type == "tls:index/privateKey:PrivateKey":
            found |= {out["privateKeyPem"], out["privateKeyOpenssh"]}
            found |= {line for line in out["privateKeyPem"].splitlines() if "-----" not in line}
        elif reg.type == "random:index/randomPassword:RandomPassword":
            found |= {out["result"], bootstrap_token_from_random(out["result"])}
        elif reg.type == "random:index/randomBytes:RandomBytes":
            found |= {out["hex"], out["base64"], key_pair_from_base64(out["base64"]).private_key}
    return found


def test_each_team_gets_its_machines_on_its_substrates(two_teams: OfflineRun) -> None:
    machines = {
        r.name: r.type
        for r in two_teams.registrations
        if r.type.startswith("klustered:machines:") and "Firewall" not in r.type
    }
    assert machines == {
        "episode-blue-control-plane-1": "klustered:machines:GcpMachine",
        "episode-blue-control-plane-2": "klustered:machines:GcpMachine",
        "episode-blue-control-plane-3": "klustered:machines:GcpMachine",
        "episode-blue-worker-1": "klustered:machines:GcpMachine",
        "episode-blue-worker-2": "klustered:machines:GcpMachine",
        "episode-green-control-plane-1": "klustered:machines:ScalewayMachine",
        "episode-green-worker-1": "klustered:machines:GcpMachine",
    }
    [server] = two_teams.by_type("scaleway:elasticmetal/server:Server")
    assert server.inputs["hostname"] == "green-control-plane-1"
    assert server.inputs["name"] == "two-teams-green-control-plane-1"
    hosts = sorted(r.inputs["name"] for r in two_teams.by_type("gcp:compute/instance:Instance"))
    assert hosts == [
        "two-teams-blue-control-plane-1",
        "two-teams-blue-control-plane-2",
        "two-teams-blue-control-plane-3",
        "two-teams-blue-worker-1",
        "two-teams-blue-worker-2",
        "two-teams-green-worker-1",
    ]


def test_bootstrap_commands_hang_under_their_team_cluster(two_teams: OfflineRun) -> None:
    clusters = {r.urn: r.name for r in two_teams.by_type("klustered:cluster:Cluster")}
    for command in two_teams.by_type(COMMAND):
        assert command.parent in clusters, command.name
        team = clusters[command.parent].removeprefix("episode-").removesuffix("-cluster")
        assert command.name.startswith(f"episode-{team}-cluster-{team}-"), command.name


def test_wherever_a_secret_flows_stdin_is_secret_and_logging_is_off(
    two_teams: OfflineRun,
) -> None:
    secrets = _secret_strings(two_teams)
    assert len(secrets) > 20
    carrying = 0
    for command in two_teams.by_type(COMMAND):
        stdin = command.inputs.get("stdin") or ""
        if any(secret in stdin for secret in secrets):
            carrying += 1
            assert command.secret_inputs.count("stdin") == 1, command.name
            assert command.inputs["logging"] == "none", command.name
            assert {"stdout", "stderr"} <= set(command.options["additionalSecretOutputs"])
        assert "connection" in command.secret_inputs
        for action in ("create", "delete"):
            assert not any(secret in command.inputs.get(action, "") for secret in secrets)
    # init (1 per team), joins (4 + 1), mesh phases (5 + 2), join-token steps (5 + 1)
    assert carrying == 2 + 5 + 7 + 6
    for team in ("blue", "green"):
        admin = two_teams.named(
            f"episode-{team}-cluster-{team}-control-plane-1-80-admin-kubeconfig"
        )
        assert admin.inputs["logging"] == "none"
        assert {"stdout", "stderr"} <= set(admin.options["additionalSecretOutputs"])


def test_no_machine_input_carries_a_secret(two_teams: OfflineRun) -> None:
    secrets = _secret_strings(two_teams)
    machine_like = [
        r
        for r in two_teams.registrations
        if r.type in MACHINE_TYPES
        or r.type in ("scaleway:iam/sshKey:SshKey", "gcp:compute/address:Address")
    ]
    assert len(machine_like) == 6 + 1 + 1 + 6
    for reg in machine_like:
        text = json.dumps(reg.inputs)
        assert reg.secret_inputs == [], reg.name
        assert not any(secret in text for secret in secrets), reg.name
        assert "PRIVATE KEY" not in text


def test_joins_wait_for_their_own_init_and_nothing_of_another_team(
    two_teams: OfflineRun,
) -> None:
    joins = [c for c in two_teams.by_type(COMMAND) if c.name.endswith("-50-kubeadm-join")]
    assert len(joins) == 5
    for join in joins:
        team = _team_of(two_teams, join)
        waits = _waits_for(two_teams, join)
        init = two_teams.named(f"episode-{team}-cluster-{team}-control-plane-1-50-kubeadm-init")
        assert init.urn in waits, join.name
        teams = {_team_of(two_teams, r) for r in two_teams.registrations if r.urn in waits}
        assert teams <= {team, None}, (join.name, teams)


def test_control_planes_join_one_at_a_time_and_workers_in_parallel(
    two_teams: OfflineRun,
) -> None:
    def join(node: str) -> Registration:
        return two_teams.named(f"episode-blue-cluster-{node}-50-kubeadm-join")

    assert join("blue-control-plane-2").urn in join("blue-control-plane-3").dependencies
    for worker in ("blue-worker-1", "blue-worker-2"):
        waits = _waits_for(two_teams, join(worker))
        assert join("blue-control-plane-2").urn not in waits
        assert join("blue-control-plane-3").urn not in waits


def test_node_local_phases_wait_for_no_other_machine(two_teams: OfflineRun) -> None:
    machines = {
        r.urn: r.inputs.get("hostname") or r.inputs["name"].removeprefix("two-teams-")
        for r in two_teams.registrations
        if r.type in MACHINE_TYPES
    }
    for command in two_teams.by_type(COMMAND):
        if not any(
            f"-{p}-" in command.name + "-"
            for p in ("10-os-prep", "20-containerd", "30-kubernetes-packages", "40-images")
        ):
            continue
        node = command.name.split("-cluster-", 1)[1].split("-", 4)
        node = "-".join(node[:4] if node[1] == "control" else node[:3])
        waited = {machines[u] for u in _waits_for(two_teams, command) if u in machines}
        assert waited == {node}, (command.name, waited)


def _longest_chain(run: OfflineRun) -> int:
    graph = graph_json(run)
    edges: dict[str, list[str]] = {}
    for edge in graph["edges"]:
        edges.setdefault(edge["from"], []).append(edge["to"])
    memo: dict[str, int] = {}

    def depth(urn: str) -> int:
        if urn not in memo:
            memo[urn] = 1 + max((depth(d) for d in edges.get(urn, [])), default=0)
        return memo[urn]

    return max(depth(n["urn"]) for n in graph["nodes"])


def test_four_teams_build_in_the_time_of_one(run_episode: RunEpisode) -> None:
    team = {"controlPlanes": 3, "workers": 2}
    one = run_episode(_stack([{"name": "t1", **team}]))
    four = run_episode(_stack([{"name": f"t{i}", **team} for i in range(1, 5)]))
    assert len(four.registrations) > 3 * len(one.registrations)
    assert _longest_chain(four) == _longest_chain(one)
    assert _longest_chain(one) >= 10


def _machines_and_phases(run: OfflineRun) -> dict[str, Any]:
    return {
        r.name: (r.raw_inputs, r.dependencies)
        for r in run.registrations
        if r.type in MACHINE_TYPES or r.type == COMMAND
    }


def test_guests_and_workload_changes_touch_no_machine_and_no_phase(
    run_episode: RunEpisode,
) -> None:
    base = copy.deepcopy(TWO_TEAMS)
    changed = copy.deepcopy(TWO_TEAMS)
    changed["klustered:teams"][0]["guests"] = ["octocat", "hubot", "monalisa"]
    changed["klustered:workload"] = {"image": "ghcr.io/rawkodeacademy/klustered:v1.1"}
    before, after = run_episode(base), run_episode(changed)
    assert _machines_and_phases(before) == _machines_and_phases(after)
    [group] = [g for g in after.by_type("kubernetes:yaml/v2:ConfigGroup") if "blue" in g.name]
    assert "klustered:v1.1" in json.dumps(group.inputs)


def test_mesh_off_puts_kubeadm_on_the_machine_private_address(run_episode: RunEpisode) -> None:
    run = run_episode(_stack([{"name": "blue", "controlPlanes": 1, "workers": 1}], mesh=False))
    files = run.value
    [instance] = [
        r
        for r in run.by_type("gcp:compute/instance:Instance")
        if r.inputs["name"] == "test-blue-worker-1"
    ]
    private = instance.outputs["networkInterfaces"][0]["networkIp"]
    assert f"value: {private}" in files["blue/blue-worker-1/kubeadm.yaml"]
    assert not any(path.endswith("wg0.conf") for path in files)


def test_mesh_on_puts_kubeadm_on_the_mesh_address(two_teams: OfflineRun) -> None:
    join = two_teams.named("episode-blue-cluster-blue-worker-1-50-kubeadm-join")
    assert "value: 10.254.0.6" in join.inputs["stdin"]
    init = two_teams.named("episode-green-cluster-green-control-plane-1-50-kubeadm-init")
    assert "advertiseAddress: 10.254.0.33" in init.inputs["stdin"]


def test_adding_a_worker_changes_teammates_peers_and_no_machine(run_episode: RunEpisode) -> None:
    grown = copy.deepcopy(TWO_TEAMS)
    grown["klustered:teams"][0]["workers"] = 3
    before, after = run_episode(copy.deepcopy(TWO_TEAMS)), run_episode(grown)

    def by_type(run: OfflineRun, types: set[str]) -> dict[str, Any]:
        return {r.name: r.raw_inputs for r in run.registrations if r.type in types}

    keep = MACHINE_TYPES | {
        "gcp:compute/address:Address",
        "random:index/randomBytes:RandomBytes",
        "tls:index/privateKey:PrivateKey",
    }
    old, new = by_type(before, keep), by_type(after, keep)
    assert set(new) - set(old) == {
        "episode-blue-worker-3-address",
        "episode-blue-worker-3-instance",
        "episode-blue-mesh-blue-worker-3-key",
    }
    assert {name: new[name] for name in old} == old

    def mesh_phase(run: OfflineRun, node: str) -> str:
        return str(
            run.named(f"episode-{node.split('-', maxsplit=1)[0]}-cluster-{node}-42-mesh").inputs[
                "stdin"
            ]
        )

    assert "blue-worker-3" not in mesh_phase(before, "blue-worker-1")
    assert "# blue-worker-3" in mesh_phase(after, "blue-worker-1")
    assert mesh_phase(before, "green-worker-1") == mesh_phase(after, "green-worker-1")


def test_mesh_comes_up_after_the_node_local_phases_and_before_kubeadm(
    two_teams: OfflineRun,
) -> None:
    def phase(step: str) -> Registration:
        return two_teams.named(f"episode-blue-cluster-blue-control-plane-2-{step}")

    assert phase("40-images").urn in phase("42-mesh").dependencies
    assert phase("42-mesh").urn in phase("43-firewall").dependencies
    assert phase("43-firewall").urn in phase("44-api-lb").dependencies
    assert phase("44-api-lb").urn in phase("45-api-endpoint").dependencies
