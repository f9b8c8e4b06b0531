"""Machines the host already has, under the mock engine: nothing is created, the phases run
over SSH with klustered:sshKey, and removing the team resets the hosts instead of skipping."""

from __future__ import annotations

import json
import subprocess

import pytest
import yaml
from conftest import run_stack

from klustered.plan import OfflineRun
from klustered.ssh_keys import public_key_of
from tests.machines_fixtures import (
    SSH_KEY_CONFIG,
    files_of,
    host_private_key,
    key_fragments,
    plain_text_inputs,
    stack,
)

COMMAND = "command:remote:Command"
KEY = host_private_key("existing")
LAB = {
    "name": "lab",
    "controlPlanes": 1,
    "workers": 2,
    "machines": {"provider": "existing"},
    "hosts": {
        "control-plane-1": {"address": "192.0.2.10", "privateAddress": "10.0.0.10"},
        "worker-1": {"address": "node-b.lab.example.net", "user": "ubuntu"},
        "worker-2": {"address": "192.0.2.12", "privateAddress": "10.0.0.12", "mtu": 9000},
    },
}
MIXED = {
    "name": "mixed",
    "controlPlanes": 1,
    "workers": 1,
    "machines": {"provider": "existing"},
    "workerMachines": {"provider": "gcp"},
    "hosts": {"control-plane-1": {"address": "192.0.2.20"}},
}


def _run(teams: list[dict[str, object]], *, mesh: bool = True) -> OfflineRun:
    config = stack(teams, mesh=mesh, ssh_key=KEY)
    from conftest import episode_program

    from klustered.plan import run_offline

    as_strings = {k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}
    return run_offline(episode_program, as_strings, [SSH_KEY_CONFIG], stack="lab-stack")


@pytest.fixture(scope="module")
def lab() -> OfflineRun:
    return _run([LAB, MIXED])


def test_existing_hosts_create_no_machine(lab: OfflineRun) -> None:
    created = {
        r.type
        for r in lab.registrations
        if r.custom and not r.type.startswith(("command", "tls", "random", "kubernetes", "pulumi"))
    }
    hosts = [r.name for r in lab.by_type(COMMAND) if r.name.endswith("-host")]
    assert sorted(hosts) == [
        "episode-lab-control-plane-1-host",
        "episode-lab-worker-1-host",
        "episode-lab-worker-2-host",
        "episode-mixed-control-plane-1-host",
    ]
    # The only cloud resources belong to the GCP worker of the mixed team.
    instances = [r.inputs["name"] for r in lab.by_type("gcp:compute/instance:Instance")]
    assert instances == ["lab-stack-mixed-worker-1"]
    assert not any(t.startswith(("scaleway:", "equinix-metal:")) for t in created)


def test_host_check_changes_nothing_and_its_delete_resets_as_root(lab: OfflineRun) -> None:
    root = lab.named("episode-lab-control-plane-1-host")
    sudo = lab.named("episode-lab-worker-1-host")
    for reg, shell, user in ((root, "bash -s", "root"), (sudo, "sudo -n bash -s", "ubuntu")):
        assert reg.inputs["create"] == "cat >/dev/null"
        assert reg.inputs["delete"] == shell
        assert reg.inputs["connection"]["user"] == user
        assert "kubeadm reset -f" in reg.inputs["stdin"]
        assert reg.secret_inputs == ["connection"]
    assert root.inputs["triggers"] == ["192.0.2.10"]


def test_ssh_key_is_never_in_plain_text_in_any_input(lab: OfflineRun) -> None:
    fragments = key_fragments(KEY)
    carrying = 0
    for reg in lab.registrations:
        assert not any(f in plain_text_inputs(reg) for f in fragments), reg.name
        if any(f in json.dumps(reg.inputs) for f in fragments):
            carrying += 1
    # Every remote command of the stack connects with the key (inside a secret).
    assert carrying == len(lab.by_type(COMMAND)) > 20
    for reg in lab.by_type(COMMAND):
        assert not any(
            f in (reg.inputs.get("create") or "") + (reg.inputs.get("delete") or "")
            for f in fragments
        )


def test_machines_that_are_created_trust_the_public_half_of_ssh_key(lab: OfflineRun) -> None:
    [instance] = lab.by_type("gcp:compute/instance:Instance")
    public = public_key_of(KEY)
    assert instance.inputs["metadata"]["ssh-keys"] == f"klustered:{public} klustered"
    # ssh-keygen derives the same public key (the recipe validate prints for encrypted keys).
    derived = subprocess.run(
        ["ssh-keygen", "-y", "-f", "/dev/stdin"],
        input=KEY,
        capture_output=True,
        text=True,
        check=True,
    )
    assert derived.stdout.split()[:2] == public.split()[:2]
    assert not any(
        r.type == "tls:index/privateKey:PrivateKey" and r.name == "episode-ssh-key"
        for r in lab.registrations
    )


def test_addresses_flow_into_cert_sans_and_mesh_endpoints(lab: OfflineRun) -> None:
    kubeadm = yaml.safe_load_all(lab.value["lab/lab-control-plane-1/kubeadm.yaml"])
    cluster = next(d for d in kubeadm if d and d.get("kind") == "ClusterConfiguration")
    assert "192.0.2.10" in cluster["apiServer"]["certSANs"]
    wg = lab.value["lab/lab-control-plane-1/wg0.conf"]
    assert "Endpoint = node-b.lab.example.net:51820" in wg
    assert "Endpoint = 192.0.2.12:51820" in wg
    mixed = lab.value["mixed/mixed-worker-1/wg0.conf"]
    assert "Endpoint = 192.0.2.20:51820" in mixed


def test_every_phase_waits_for_its_host_and_is_deleted_with_it(lab: OfflineRun) -> None:
    host = lab.named("episode-lab-worker-2-host")
    # The node's own phases; its join-token and leave steps run on its keeper.
    phases = [
        c
        for c in lab.by_type(COMMAND)
        if c.name.startswith("episode-lab-cluster-lab-worker-2-")
        and not c.name.endswith(("-join-token", "-leave"))
    ]
    assert len(phases) >= 6
    for phase in phases:
        assert phase.options["deletedWith"] == host.urn, phase.name
    wait = lab.named("episode-lab-cluster-lab-worker-2-wait-for-ssh")
    waits = set(wait.dependencies) | {u for v in wait.property_dependencies.values() for u in v}
    assert host.urn in waits


def test_mesh_off_puts_kubeadm_on_the_private_address() -> None:
    run = _run(
        [{**LAB, "hosts": {**LAB["hosts"], "worker-1": {"address": "192.0.2.11"}}}], mesh=False
    )  # type: ignore[dict-item]
    assert "value: 10.0.0.12" in run.value["lab/lab-worker-2/kubeadm.yaml"]
    # No privateAddress: the address itself.
    assert "value: 192.0.2.11" in run.value["lab/lab-worker-1/kubeadm.yaml"]
    assert not files_of(run, "wg0.conf")


def test_reset_script_is_in_the_plan_for_each_existing_node(lab: OfflineRun) -> None:
    resets = files_of(lab, "/reset.sh")
    assert sorted(resets) == [
        "lab/lab-control-plane-1/reset.sh",
        "lab/lab-worker-1/reset.sh",
        "lab/lab-worker-2/reset.sh",
        "mixed/mixed-control-plane-1/reset.sh",
    ]
    assert (
        resets["lab/lab-worker-1/reset.sh"]
        == lab.named("episode-lab-worker-1-host").inputs["stdin"]
    )


def test_run_stack_without_ssh_key_is_refused_before_any_resource() -> None:
    import pulumi

    with pytest.raises(
        pulumi.RunError, match=r"sshKey: required: team\(s\) lab run on provider existing"
    ):
        run_stack(stack([LAB]))
