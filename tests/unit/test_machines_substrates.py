"""GCP and Scaleway Elastic Metal machines under the mock engine: what each substrate creates,
names that two stacks in one project keep apart, addresses into certSANs and the mesh."""

from __future__ import annotations

import copy

import pytest
import yaml
from conftest import run_stack

from components.machines.gcp import PUBLIC_TCP_PORTS, gce_name, machine_name, region_of
from components.machines.scaleway_catalog import os_user, split_os
from klustered.plan import OfflineRun
from tests.machines_fixtures import SCALEWAY_PROJECT, stack

INSTANCE = "gcp:compute/instance:Instance"
ADDRESS = "gcp:compute/address:Address"
FIREWALL = "gcp:compute/firewall:Firewall"
SERVER = "scaleway:elasticmetal/server:Server"
SSH_KEY = "scaleway:iam/sshKey:SshKey"

TEAMS = [
    {"name": "blue", "controlPlanes": 3, "workers": 1},
    {"name": "green", "controlPlanes": 1, "workers": 2, "machines": {"provider": "scaleway"}},
]


@pytest.fixture(scope="module")
def both() -> OfflineRun:
    return run_stack(stack(copy.deepcopy(TEAMS)), stack="episode-42")


def _cluster_config(run: OfflineRun, path: str) -> dict[str, object]:
    docs = yaml.safe_load_all(run.value[path])
    return next(d for d in docs if d and d.get("kind") == "ClusterConfiguration")


# --- GCP ---------------------------------------------------------------------------------


def test_gce_names_carry_the_stack_and_stay_valid() -> None:
    assert gce_name("episode-42", "blue-worker-1") == "episode-42-blue-worker-1"
    names = {
        gce_name(prefix, "a" * 20 + "-control-plane-5")
        for prefix in ("episode-42", "Episode_42", "42", "x" * 60, "x" * 61)
    }
    assert len(names) == 5
    for name in names:
        assert len(name) <= 63 and name[0].isalpha()
        assert set(name) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")
    # A host name that already carries the stack is not prefixed twice.
    assert machine_name("ep42", "teleport-ep42") == "teleport-ep42"
    assert machine_name("ep42", "blue-worker-1") == "ep42-blue-worker-1"
    assert region_of("europe-west4-a") == "europe-west4"
    with pytest.raises(ValueError, match="not a GCE zone"):
        region_of("europe-west4")


def test_gcp_instance_has_a_static_address_and_survives_a_stop(both: OfflineRun) -> None:
    instances = {r.inputs["name"]: r for r in both.by_type(INSTANCE)}
    assert sorted(instances) == [
        "episode-42-blue-control-plane-1",
        "episode-42-blue-control-plane-2",
        "episode-42-blue-control-plane-3",
        "episode-42-blue-worker-1",
    ]
    addresses = {r.inputs["name"]: r for r in both.by_type(ADDRESS)}
    assert sorted(addresses) == sorted(instances)
    for name, instance in instances.items():
        address = addresses[name]
        assert address.inputs["region"] == "europe-west4"
        assert address.inputs["addressType"] == "EXTERNAL"
        [nic] = instance.inputs["networkInterfaces"]
        assert nic["accessConfigs"][0]["natIp"] == address.outputs["address"]
        assert instance.inputs["allowStoppingForUpdate"] is True
        metadata = instance.inputs["metadata"]
        assert metadata["enable-oslogin"] == "FALSE"
        assert metadata["ssh-keys"].startswith("klustered:ssh-ed25519 ")
        assert instance.inputs["tags"] == ["episode-42-klustered-blue"]


def test_two_stacks_in_one_project_share_no_name_or_tag() -> None:
    team = [{"name": "blue", "controlPlanes": 1, "workers": 1}]
    one = run_stack(stack(copy.deepcopy(team)), stack="episode-42")
    two = run_stack(stack(copy.deepcopy(team)), stack="episode-43")

    def names(run: OfflineRun) -> set[str]:
        found = {r.inputs["name"] for r in run.registrations if r.type in (INSTANCE, ADDRESS)}
        found |= {t for r in run.by_type(INSTANCE) for t in r.inputs["tags"]}
        found |= {t for r in run.by_type(FIREWALL) for t in r.inputs["targetTags"]}
        return found

    assert len(names(one)) == 3
    assert names(one).isdisjoint(names(two))


def test_gcp_firewall_opens_only_the_listed_ports_and_teammates(both: OfflineRun) -> None:
    rules = {r.name: r.inputs for r in both.by_type(FIREWALL)}
    assert set(rules) == {"episode-blue-firewall-public", "episode-blue-firewall-internal"}
    public = rules["episode-blue-firewall-public"]
    assert public["sourceRanges"] == ["0.0.0.0/0"]
    assert public["allows"] == [
        {"protocol": "tcp", "ports": list(PUBLIC_TCP_PORTS)},
        {"protocol": "udp", "ports": ["51820"]},
    ]
    assert PUBLIC_TCP_PORTS == ("22", "443", "3022-3026", "6443", "30000")
    internal = rules["episode-blue-firewall-internal"]
    assert internal["sourceTags"] == internal["targetTags"] == ["episode-42-klustered-blue"]
    assert "sourceRanges" not in internal


def test_gcp_firewall_has_no_mesh_port_without_the_mesh() -> None:
    run = run_stack(stack([{"name": "blue", "workers": 1}], mesh=False), stack="s")
    [public] = [r for r in run.by_type(FIREWALL) if r.name.endswith("-public")]
    assert [a["protocol"] for a in public.inputs["allows"]] == ["tcp"]


# --- Scaleway Elastic Metal ------------------------------------------------------------------


def test_scaleway_servers_use_the_offer_and_os_looked_up_by_name(both: OfflineRun) -> None:
    servers = {r.inputs["hostname"]: r for r in both.by_type(SERVER)}
    assert sorted(servers) == ["green-control-plane-1", "green-worker-1", "green-worker-2"]
    lookups = {i.token.rsplit(":", 1)[1]: i.args for i in both.invokes}
    assert lookups["getOffer"] == {
        "name": "EM-A610R-NVME",
        "zone": "fr-par-2",
        "subscriptionPeriod": "hourly",
    }
    assert lookups["getOs"] == {
        "name": "Ubuntu",
        "version": "24.04 LTS (Noble Numbat)",
        "zone": "fr-par-2",
    }
    [key] = both.by_type(SSH_KEY)
    for server in servers.values():
        assert server.inputs["zone"] == "fr-par-2"
        assert server.inputs["projectId"] == SCALEWAY_PROJECT
        assert server.inputs["offer"].startswith("fr-par-2/")
        assert server.inputs["os"].startswith("fr-par-2/")
        assert server.inputs["sshKeyIds"] == [f"{key.name}-id"]  # the key's id (mock engine)
        assert server.inputs["name"].startswith("episode-42-green-")
        assert server.secret_inputs == []


def test_scaleway_key_is_registered_once_per_project_with_the_public_key(
    both: OfflineRun,
) -> None:
    [key] = both.by_type(SSH_KEY)
    assert key.inputs["projectId"] == SCALEWAY_PROJECT
    assert key.inputs["publicKey"].startswith("ssh-ed25519 ")
    assert "PRIVATE" not in key.inputs["publicKey"]
    tls_key = both.named("episode-ssh-key")
    assert key.inputs["publicKey"] == tls_key.outputs["publicKeyOpenssh"].strip()


def test_scaleway_nodes_log_in_as_the_user_the_os_installs(both: OfflineRun) -> None:
    wait = both.named("episode-green-cluster-green-worker-1-wait-for-ssh")
    assert wait.inputs["connection"]["user"] == "ubuntu"
    init = both.named("episode-green-cluster-green-control-plane-1-50-kubeadm-init")
    assert init.inputs["create"] == "sudo -n bash -s"
    assert split_os("Debian 12 (Bookworm)") == ("Debian", "12 (Bookworm)")
    assert (os_user("Ubuntu 24.04 LTS (Noble Numbat)"), os_user("Debian 12 (Bookworm)")) == (
        "ubuntu",
        "root",
    )


def test_addresses_flow_into_cert_sans_and_mesh_endpoints(both: OfflineRun) -> None:
    servers = {r.inputs["hostname"]: r for r in both.by_type(SERVER)}
    green_cp = servers["green-control-plane-1"].outputs["ipv4s"][0]["address"]
    sans = _cluster_config(both, "green/green-control-plane-1/kubeadm.yaml")["apiServer"]
    assert green_cp in sans["certSANs"]  # type: ignore[index]
    assert f"Endpoint = {green_cp}:51820" in both.value["green/green-worker-2/wg0.conf"]
    instances = {r.inputs["name"]: r for r in both.by_type(INSTANCE)}
    blue_cp2 = instances["episode-42-blue-control-plane-2"].outputs["networkInterfaces"][0]
    static = blue_cp2["accessConfigs"][0]["natIp"]
    sans = _cluster_config(both, "blue/blue-control-plane-1/kubeadm.yaml")["apiServer"]
    assert static in sans["certSANs"]  # type: ignore[index]
    assert f"Endpoint = {static}:51820" in both.value["blue/blue-worker-1/wg0.conf"]
