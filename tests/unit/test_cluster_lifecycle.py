"""A cluster over its life, under the mock engine: nodes that leave, replaced machines,
shapes without workers, a dead API at destroy, and the API name the operator uses."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pulumi
import pytest
import yaml

from components.cluster.component import Cluster, ClusterArgs
from components.cluster.membership import script_of_leave_command
from components.nodes import node_slots
from klustered.offline import OfflineMocks, RecordingMonitor, Registration
from klustered.plan import OfflineRun, run_offline

RunEpisode = Callable[..., OfflineRun]
COMMAND = "command:remote:Command"
INSTANCE = "gcp:compute/instance:Instance"


def _stack(teams: list[dict[str, Any]], mesh: bool = True) -> dict[str, Any]:
    return {
        "klustered:machines": {"provider": "gcp", "gcp": {"project": "test-project"}},
        "klustered:mesh": {"enabled": mesh},
        "klustered:teams": teams,
    }


BLUE = _stack([{"name": "blue", "controlPlanes": 3, "workers": 2}])


@pytest.fixture(scope="module")
def blue() -> OfflineRun:
    from conftest import run_stack

    return run_stack(copy.deepcopy(BLUE), stack="lifecycle")


def _cluster_command(run: OfflineRun, node: str, step: str) -> Registration:
    return run.named(f"episode-blue-cluster-{node}-{step}")


def _instance(run: OfflineRun, node: str) -> Registration:
    # The GCE name is `<stack>-<node>` (two stacks share a project): go by the logical name.
    [instance] = [r for r in run.by_type(INSTANCE) if r.name == f"episode-{node}-instance"]
    return instance


def _waits_for(run: OfflineRun, reg: Registration) -> set[str]:
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


def test_removing_a_worker_removes_exactly_its_machine_and_commands(
    blue: OfflineRun, run_episode: RunEpisode
) -> None:
    shrunk = copy.deepcopy(BLUE)
    shrunk["klustered:teams"][0]["workers"] = 1
    after = run_episode(shrunk, stack="lifecycle")
    before_by_urn = {r.urn: r for r in blue.registrations}
    after_by_urn = {r.urn: r for r in after.registrations}

    assert set(after_by_urn) <= set(before_by_urn)  # nothing new appears
    removed = [before_by_urn[u] for u in set(before_by_urn) - set(after_by_urn)]
    assert removed
    assert all("blue-worker-2" in r.name for r in removed), sorted(r.name for r in removed)
    removed_names = {r.name for r in removed}
    # Its machine...
    assert _instance(blue, "blue-worker-2").name in removed_names
    assert not [r for r in after.by_type(INSTANCE) if r.inputs["name"] == "lifecycle-blue-worker-2"]
    # ...and every command that ran on it or for it.
    for_worker = {r.name for r in blue.by_type(COMMAND) if "-blue-worker-2-" in r.name}
    assert for_worker <= removed_names
    assert {
        "episode-blue-cluster-blue-worker-2-50-kubeadm-join",
        "episode-blue-cluster-blue-worker-2-join-token",
        "episode-blue-cluster-blue-worker-2-leave",
    } <= for_worker

    # Survivors: only what lists the team's nodes changes (mesh peers, the readiness gate).
    changed = {
        before_by_urn[u].name
        for u in after_by_urn
        if before_by_urn[u].type == COMMAND
        and before_by_urn[u].raw_inputs != after_by_urn[u].raw_inputs
    }
    assert changed == {
        *(
            f"episode-blue-cluster-{n}-42-mesh"
            for n in ("blue-control-plane-1", "blue-control-plane-2", "blue-control-plane-3")
        ),
        "episode-blue-cluster-blue-worker-1-42-mesh",
        "episode-blue-cluster-blue-control-plane-1-70-ready",
    }
    ready = _cluster_command(after, "blue-control-plane-1", "70-ready").inputs["stdin"]
    assert "export EXPECTED_NODES='blue-control-plane-1 blue-control-plane-2" in ready
    assert "blue-worker-2" not in ready


def test_a_removed_workers_delete_step_is_its_leave_run_on_control_plane_one(
    blue: OfflineRun,
) -> None:
    # Of everything removed with blue-worker-2, the leave step alone does something on delete.
    deleting = [
        r for r in blue.by_type(COMMAND) if "-blue-worker-2-" in r.name and r.inputs.get("delete")
    ]
    assert [r.name for r in deleting] == ["episode-blue-cluster-blue-worker-2-leave"]
    leave = deleting[0]
    assert "create" not in leave.inputs  # nothing runs while the node lives
    cp1 = _instance(blue, "blue-control-plane-1")
    assert (
        leave.inputs["connection"]["host"]
        == cp1.outputs["networkInterfaces"][0]["accessConfigs"][0]["natIp"]
    )
    script = script_of_leave_command(leave.inputs["delete"])
    assert "export NODE_NAME=blue-worker-2" in script
    assert "export CONTROL_PLANE=0" in script
    assert leave.inputs["delete"].startswith("sudo -n bash -s <<'KLUSTERED_LEAVE'\n")
    # Removed before its machine: the node is drained while it still runs.
    assert _instance(blue, "blue-worker-2").urn in _waits_for(blue, leave)
    assert leave.options["deleteBeforeReplace"] is True
    # Skipped when the whole cluster goes (nothing to drain into).
    init = _cluster_command(blue, "blue-control-plane-1", "50-kubeadm-init")
    assert leave.options["deletedWith"] == init.urn


def test_control_planes_leave_highest_first_and_remove_their_etcd_member(
    blue: OfflineRun,
) -> None:
    cp2 = _cluster_command(blue, "blue-control-plane-2", "leave")
    cp3 = _cluster_command(blue, "blue-control-plane-3", "leave")
    # Deletion runs in reverse: cp3 (which waits for cp2's) leaves before cp2.
    assert cp2.urn in cp3.dependencies
    assert "export CONTROL_PLANE=1" in script_of_leave_command(cp3.inputs["delete"])
    assert "export NODE_ADDRESS=10.254.0.3" in script_of_leave_command(cp3.inputs["delete"])


def test_control_plane_one_leaves_only_when_its_own_machine_is_replaced(
    blue: OfflineRun,
) -> None:
    leave = _cluster_command(blue, "blue-control-plane-1", "leave")
    cp2 = _instance(blue, "blue-control-plane-2")
    # It runs on control-plane-2, and is skipped whenever control-plane-2 goes too
    # (shrinking 3 -> 1 must never take control-plane-1 out of the cluster).
    assert (
        leave.inputs["connection"]["host"]
        == cp2.outputs["networkInterfaces"][0]["accessConfigs"][0]["natIp"]
    )
    assert (
        leave.options["deletedWith"]
        == _cluster_command(blue, "blue-control-plane-2", "wait-for-ssh").urn
    )
    cp1_machine = _instance(blue, "blue-control-plane-1")
    assert leave.inputs["triggers"] == [f"{cp1_machine.name}-id"]  # the mock engine's id


def test_a_replaced_machine_runs_all_its_phases_again(blue: OfflineRun) -> None:
    by_urn = {r.urn: r for r in blue.registrations}
    for node in ("blue-control-plane-1", "blue-control-plane-2", "blue-worker-1"):
        instance = _instance(blue, node)
        mine = [r for r in blue.by_type(COMMAND) if f"-cluster-{node}-" in r.name]
        assert len(mine) >= 9
        for command in mine:
            # Its machine's id is a trigger: a new machine replaces every command.
            assert command.inputs["triggers"] == [f"{instance.name}-id"], command.name
            assert instance.urn in command.property_dependencies["triggers"], command.name
    # A keeper's steps for another node follow that node's machine, not the keeper's.
    token = _cluster_command(blue, "blue-worker-1", "join-token")
    assert token.inputs["triggers"] == [f"{_instance(blue, 'blue-worker-1').name}-id"]
    assert (
        by_urn[token.urn].inputs["connection"]["host"]
        != _instance(blue, "blue-worker-1").outputs["networkInterfaces"][0]["accessConfigs"][0][
            "natIp"
        ]
    )


def test_join_token_steps_run_beside_each_join_and_gate_readiness(blue: OfflineRun) -> None:
    ready = _cluster_command(blue, "blue-control-plane-1", "70-ready")
    for node in ("blue-control-plane-1", "blue-control-plane-2", "blue-worker-1"):
        token = _cluster_command(blue, node, "join-token")
        assert token.inputs["logging"] == "none"
        assert token.secret_inputs.count("stdin") == 1
        assert token.urn in ready.dependencies
        assert _cluster_command(blue, node, "45-api-endpoint").urn in token.dependencies
        if node != "blue-control-plane-1":
            join = _cluster_command(blue, node, "50-kubeadm-join")
            # Alongside, never before: a join that fails takes its token step with it.
            assert token.urn not in _waits_for(blue, join)
            assert _cluster_command(blue, node, "leave").urn in join.dependencies
    # control-plane-1's token step (for a rejoin) needs control-plane-2 in the cluster.
    cp1_token = _cluster_command(blue, "blue-control-plane-1", "join-token")
    assert _cluster_command(blue, "blue-control-plane-2", "50-kubeadm-join").urn in (
        cp1_token.dependencies
    )


def test_no_delete_command_carries_a_secret(blue: OfflineRun) -> None:
    secrets = {
        r.outputs["result"]
        for r in blue.registrations
        if r.type == "random:index/randomPassword:RandomPassword"
    }
    assert secrets
    deletes = [r.inputs["delete"] for r in blue.by_type(COMMAND) if r.inputs.get("delete")]
    assert len(deletes) == 5  # cp1 (on cp2), cp2, cp3, worker-1, worker-2
    for text in deletes:
        assert "PRIVATE KEY" not in text
        assert not any(s[:6] in text and s[6:22] in text for s in secrets)


def _kubeadm_docs(files: dict[str, str], node: str) -> list[dict[str, Any]]:
    return list(yaml.safe_load_all(files[f"solo/{node}/kubeadm.yaml"]))


def test_three_control_planes_and_no_worker_untaint_their_control_planes(
    run_episode: RunEpisode,
) -> None:
    run = run_episode(_stack([{"name": "solo", "controlPlanes": 3, "workers": 0}]))
    files = run.value
    for node in ("solo-control-plane-1", "solo-control-plane-2", "solo-control-plane-3"):
        registration = _kubeadm_docs(files, node)[0]["nodeRegistration"]
        assert registration["taints"] == [], node
    assert "export UNTAINT_CONTROL_PLANES=1" in files["solo/solo-control-plane-1/70-ready.sh"]


def test_control_planes_keep_their_taint_when_there_are_workers(blue: OfflineRun) -> None:
    files = blue.value
    init = next(yaml.safe_load_all(files["blue/blue-control-plane-1/kubeadm.yaml"]))
    assert "taints" not in init["nodeRegistration"]
    assert "export UNTAINT_CONTROL_PLANES=0" in files["blue/blue-control-plane-1/70-ready.sh"]


def test_the_provider_tolerates_an_unreachable_api_and_the_app_goes_with_the_cluster(
    blue: OfflineRun,
) -> None:
    [provider] = blue.by_type("pulumi:providers:kubernetes")
    assert provider.inputs["deleteUnreachable"] == "true"
    assert provider.inputs["skipUpdateUnreachable"] == "true"
    assert provider.secret_inputs == ["kubeconfig"]
    [group] = blue.by_type("kubernetes:yaml/v2:ConfigGroup")
    init = _cluster_command(blue, "blue-control-plane-1", "50-kubeadm-init")
    # Destroying the cluster deletes the app with it: no call to a perhaps dead API.
    assert group.options["deletedWith"] == init.urn


def test_the_host_firewall_trusts_teammates_only_without_the_mesh(
    blue: OfflineRun, run_episode: RunEpisode
) -> None:
    meshed = blue.value["blue/blue-worker-1/43-firewall.sh"]
    assert "export UDP_PORTS=51820" in meshed
    assert "export TRUSTED_SOURCES=''" in meshed
    plain = run_episode(_stack([{"name": "blue", "controlPlanes": 1, "workers": 1}], mesh=False))
    script = plain.value["blue/blue-worker-1/43-firewall.sh"]
    assert "export UDP_PORTS=''" in script
    privates = [
        _instance(plain, node).outputs["networkInterfaces"][0]["networkIp"]
        for node in ("blue-control-plane-1", "blue-worker-1")
    ]
    assert f"export TRUSTED_SOURCES='{' '.join(privates)}'" in script
    assert "export TCP_PORTS=22,443,3022:3026,6443,30000" in script


class _AdminConfMocks(OfflineMocks):
    """The mock engine, with control-plane-1 printing an admin.conf like kubeadm's."""

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[Any, Any]]:
        id_, outputs = super().new_resource(args)
        if args.name.endswith("-80-admin-kubeconfig"):
            outputs["stdout"] = yaml.safe_dump(
                {
                    "apiVersion": "v1",
                    "kind": "Config",
                    "clusters": [
                        {
                            "name": "blue",
                            "cluster": {"server": "https://api.blue.klustered.internal:6443"},
                        }
                    ],
                }
            )
        return id_, outputs


def _cluster_program(**extra: Any) -> Callable[[], Any]:
    def program() -> Any:
        args: ClusterArgs = {
            "team": "blue",
            "kubernetes_version": "1.34",
            "pod_cidr": "10.244.0.0/16",
            "service_cidr": "10.96.0.0/12",
            "nodes": [
                {
                    "slot": slot,
                    "public_ip": f"203.0.113.{n}",
                    "cluster_ip": f"10.0.0.{n}",
                    "ssh_user": "root",
                }
                for n, slot in enumerate(node_slots("blue", 3, 1), start=1)
            ],
            "ssh_private_key": "not-a-real-key",
        }
        args.update(extra)  # type: ignore[typeddict-item]
        cluster = Cluster("c", args)
        return {
            "endpoint": cluster.api_endpoint,
            "kubeconfig": cluster.kubeconfig,
            "files": pulumi.Output.all(**cluster.rendered_files),
        }

    return program


def _run_cluster(**extra: Any) -> OfflineRun:
    return run_offline(_cluster_program(**extra), monitor=RecordingMonitor(_AdminConfMocks()))


def test_with_a_dns_name_the_kubeconfig_uses_it_and_it_is_in_the_sans() -> None:
    run = _run_cluster(api_dns_name="api.blue.episode-42.klustered.live")
    assert run.value["endpoint"] == "https://api.blue.episode-42.klustered.live:6443"
    server = yaml.safe_load(run.value["kubeconfig"])["clusters"][0]["cluster"]["server"]
    assert server == "https://api.blue.episode-42.klustered.live:6443"
    # The provider keeps the address: the name is created in the same update and may not
    # resolve (or be negatively cached) by the time the workload is applied.
    [provider] = run.by_type("pulumi:providers:kubernetes")
    assert "https://203.0.113.1:6443" in provider.inputs["kubeconfig"]
    init = list(yaml.safe_load_all(run.value["files"]["blue-control-plane-1/kubeadm.yaml"]))
    assert "api.blue.episode-42.klustered.live" in init[-1]["apiServer"]["certSANs"]


def test_without_a_dns_name_they_use_control_plane_ones_public_address() -> None:
    run = _run_cluster()
    assert run.value["endpoint"] == "https://203.0.113.1:6443"
    server = yaml.safe_load(run.value["kubeconfig"])["clusters"][0]["cluster"]["server"]
    assert server == "https://203.0.113.1:6443"
    init = list(yaml.safe_load_all(run.value["files"]["blue-control-plane-1/kubeadm.yaml"]))
    sans = init[-1]["apiServer"]["certSANs"]
    assert {"203.0.113.1", "203.0.113.2", "203.0.113.3", "127.0.0.1", "localhost"} <= set(sans)


def test_machines_without_an_id_get_no_trigger_and_control_plane_one_no_leave() -> None:
    run = _run_cluster()
    for command in run.by_type(COMMAND):
        assert "triggers" not in command.inputs, command.name
    names = {r.name for r in run.by_type(COMMAND)}
    assert "c-blue-control-plane-1-leave" not in names
    assert "c-blue-control-plane-2-leave" in names


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"api_dns_name": "API.Blue"}, "api_dns_name"),
        ({"mesh_port": 70000}, "mesh_port"),
        ({"kubernetes_version": "1.29"}, "kubernetes_version"),
    ],
)
def test_bad_cluster_args_name_the_field(extra: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=f"cluster blue: {message}"):
        _run_cluster(**extra)
