"""The workshop project under the mock engine: what `pulumi up` would create, offline.

Runs with the repository's tests, and on its own: `pytest examples/workshop`.
"""

from __future__ import annotations

from pathlib import Path

from klustered.testing import plaintext, plan_project

PROJECT = Path(__file__).resolve().parents[1]


def test_one_machine_one_cluster_one_break() -> None:
    plan = plan_project(PROJECT, "dev")
    run = plan.run
    [machine] = run.by_type("klustered:machines:GcpMachine")
    [instance] = run.by_type("gcp:compute/instance:Instance")
    assert instance.inputs["name"] == "dev-workshop-control-plane-1"  # <stack>-<node>
    assert instance.inputs["project"] == "my-workshop-project"
    assert instance.inputs["machineType"] == "e2-standard-4"  # the component's default
    assert run.by_type("klustered:cluster:Cluster")
    assert run.by_type("klustered:workload:Workload")
    [the_break] = run.by_type("klustered:breaks:Break")
    assert the_break.name == "workshop-break"
    assert instance.parent == machine.urn


def test_node_files_are_exposed_for_the_plan() -> None:
    files = plan_project(PROJECT, "dev").files
    kubeadm = files["workshop/workshop-control-plane-1/kubeadm.yaml"]
    assert "podSubnet: 10.244.0.0/16" in kubeadm  # the Cluster's default range
    assert "workshop/workshop-control-plane-1/50-kubeadm-init.sh" in files
    assert "workshop/breaks/service-selector-typo/60-break.sh" in files


def test_the_ssh_private_key_only_travels_as_a_secret() -> None:
    run = plan_project(PROJECT, "dev").run
    key = run.named("workshop-ssh-key")
    private = key.outputs["privateKeyOpenssh"]
    assert private.startswith("-----BEGIN OPENSSH PRIVATE KEY-----")
    assert plaintext(run, private.splitlines()[1]) == []
    # The public half is meant to be seen: in the instance's ssh-keys metadata.
    public = key.outputs["publicKeyOpenssh"].split()[1]
    assert any(" metadata.ssh-keys" in where for where in plaintext(run, public))
