"""What other projects compose: each package's public names, its defaults, its docstrings."""

from __future__ import annotations

import importlib
import pydoc
import subprocess
import sys
from typing import Any

import pulumi
import pytest
from conftest import Runner

import components
import components.cluster.component as cluster_module
import components.machines.gcp as gcp_module
import components.mesh.component as mesh_module
import components.teleport.agents as agents_module
import components.teleport.component as teleport_module
import components.teleport.github as github_module
import components.workload.component as workload_module
from breaks import Break, load_break
from components import NETWORK_PHASE, NodeRole, NodeSlot
from components.cluster import Cluster
from components.machines import EQUINIX_METAL_MODULE, GcpMachine, MachineHost
from components.machines.underlay import ETHERNET_MTU, mesh_mtu
from components.mesh import DEFAULT_MTU, DEFAULT_PORT, Mesh, mesh_addresses
from components.teleport import GithubTeams, TeleportAgents, TeleportCluster
from components.workload import Workload, WorkloadSpec
from klustered.config import (
    EquinixMetalConfig,
    GcpConfig,
    KubernetesConfig,
    MeshConfig,
    WorkloadConfig,
)
from klustered.config.stack import StackConfig

PACKAGES = [
    "components",
    "components.cluster",
    "components.machines",
    "components.mesh",
    "components.workload",
    "components.dns",
    "components.teleport",
    "breaks",
]


def test_public_names_are_the_classes_their_modules_define() -> None:
    assert Cluster is cluster_module.Cluster
    assert GcpMachine is gcp_module.GcpMachine
    assert Mesh is mesh_module.Mesh
    assert Workload is workload_module.Workload
    assert TeleportCluster is teleport_module.TeleportCluster
    assert TeleportAgents is agents_module.TeleportAgents
    assert GithubTeams is github_module.GithubTeams
    assert Break.__module__ == "breaks.component"
    assert load_break("kubelet-maxpods").id == "kubelet-maxpods"


def _loads(module: str) -> bool:
    """Whether `module` imports here (the Equinix Metal SDK loads only on Python 3.11)."""
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True


@pytest.mark.parametrize("package", PACKAGES)
def test_every_exported_name_resolves(package: str) -> None:
    module = importlib.import_module(package)
    for name in module.__all__:
        assert name in dir(module)
        if getattr(module, "_EXPORTS", {}).get(name) == EQUINIX_METAL_MODULE and not _loads(
            EQUINIX_METAL_MODULE
        ):
            # Python 3.12+ (or no extra): one clear ImportError, not the SDK's own.
            with pytest.raises(ImportError, match=r"loads only on Python 3\.11.*shut down"):
                getattr(module, name)
            continue
        assert getattr(module, name) is not None, f"{package}.{name}"
    exports = getattr(module, "_EXPORTS", None)
    if exports is not None:
        assert sorted(exports) == sorted(module.__all__)
    with pytest.raises(AttributeError):
        _ = module.NoSuchName


def test_pure_modules_import_without_the_provider_sdks() -> None:
    probe = (
        "import sys\n"
        "import components.cluster.kubeadm_config, components.cluster.node_files\n"
        "import components.mesh.wgconf, components.mesh.addresses, components.machines.defaults\n"
        "import breaks.catalog, klustered.config\n"
        "loaded = [m for m in ('pulumi_kubernetes', 'pulumi_gcp', 'pulumi_equinix_metal',"
        " 'pulumi_command', 'pulumi_tls') if m in sys.modules]\n"
        "print(','.join(loaded))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == ""


# --- one default, two doors: the stack config and the component args -----------------


def test_config_defaults_are_the_components_defaults() -> None:
    from components.cluster import DEFAULT_POD_CIDR, DEFAULT_SERVICE_CIDR, DEFAULT_VERSION
    from components.machines import defaults as machine_defaults
    from components.mesh import DEFAULT_CIDR, DEFAULT_KEEPALIVE

    k8s = KubernetesConfig()
    assert (k8s.version, k8s.pod_cidr, k8s.service_cidr) == (
        DEFAULT_VERSION,
        DEFAULT_POD_CIDR,
        DEFAULT_SERVICE_CIDR,
    )
    gcp = GcpConfig()
    assert (gcp.zone, gcp.machine_type, gcp.image, gcp.network) == (
        machine_defaults.GCP_ZONE,
        machine_defaults.GCP_MACHINE_TYPE,
        machine_defaults.GCP_IMAGE,
        machine_defaults.GCP_NETWORK,
    )
    metal = EquinixMetalConfig()
    assert (metal.metro, metal.plan, metal.os) == (
        machine_defaults.EQUINIX_METAL_METRO,
        machine_defaults.EQUINIX_METAL_PLAN,
        machine_defaults.EQUINIX_METAL_OS,
    )
    mesh = MeshConfig()
    assert (mesh.cidr, mesh.port, mesh.keepalive) == (DEFAULT_CIDR, DEFAULT_PORT, DEFAULT_KEEPALIVE)
    # The config derives the MTU from each team's underlay; the Mesh's default is the same
    # derivation for the common underlay, Ethernet.
    assert mesh.mtu is None
    assert mesh_mtu([ETHERNET_MTU]) == DEFAULT_MTU
    workload, spec = WorkloadConfig(), WorkloadSpec()
    assert (workload.baseline, workload.image, workload.postgres_image) == (
        spec.baseline,
        spec.image,  # None: the baseline's own image
        spec.postgres_image,
    )


def _bare_team(team: str, prefix: str) -> Any:
    """Machines, mesh and cluster of a 1 + 1 team, passing only what has no default.

    Resources are named as the Klustered program names them (`<prefix>-...`), so the mock
    engine derives the same addresses, keys and tokens for both.
    """
    slots = [NodeSlot(team, NodeRole.CONTROL_PLANE, 1), NodeSlot(team, NodeRole.WORKER, 1)]
    machines = {
        s.name: GcpMachine(
            f"{prefix}-{s.role.value}-{s.index}",
            {
                "host": MachineHost.for_node(s),
                "project": "klustered-test",
                "name_prefix": "test",
                "ssh_public_key": "ssh-ed25519 A",
            },
        )
        for s in slots
    }
    addresses = mesh_addresses("10.254.0.0/24", [(team, 1, 1)])
    # WireGuard inside GCP's 1460-byte VPC: the machines say their underlay MTU.
    mtu = mesh_mtu(m.underlay_mtu for m in machines.values())
    mesh = Mesh(
        f"{prefix}-mesh",
        {
            "team": team,
            "mtu": mtu,
            "nodes": [
                {
                    "slot": s,
                    "public_ip": machines[s.name].public_ip,
                    "address": str(addresses[s.name]),
                }
                for s in slots
            ],
        },
    )
    cluster = Cluster(
        f"{prefix}-cluster",
        {
            "team": team,
            "ssh_private_key": "key",
            # A program that adds the mesh says so to Cilium and to the host firewall.
            "cilium_mtu": mtu,
            "mesh_port": DEFAULT_PORT,
            "nodes": [
                {
                    "slot": s,
                    "public_ip": machines[s.name].public_ip,
                    "cluster_ip": str(mesh.nodes[s.name].address.ip),
                    "ssh_user": machines[s.name].ssh_user,
                    "extra_phases": [
                        {
                            "file": mesh.nodes[s.name].phase_file,
                            "script": mesh.nodes[s.name].phase_script,
                            "secret": True,
                        }
                    ],
                }
                for s in slots
            ],
        },
    )
    return pulumi.Output.all(**{**mesh.rendered_files, **cluster.rendered_files})


def test_components_with_bare_args_build_what_a_default_stack_builds(
    offline: Runner, run_episode: Any
) -> None:
    bare = offline(lambda: _bare_team("blue", "episode-blue"))
    stack = {
        "klustered:machines": {"provider": "gcp", "gcp": {"project": "klustered-test"}},
        "klustered:mesh": {"enabled": True},
        "klustered:teams": [{"name": "blue", "controlPlanes": 1, "workers": 1}],
    }
    episode = run_episode(stack)
    by_config = {k.removeprefix("blue/"): v for k, v in episode.value.items()}
    assert "blue-worker-1/42-mesh.sh" in bare.value
    assert set(bare.value) <= set(by_config)
    for path, text in bare.value.items():
        assert text == by_config[path], path
    for reg in bare.by_type("gcp:compute/instance:Instance"):
        twin = episode.named(reg.name)
        for key in ("zone", "machineType", "bootDisk", "networkInterfaces"):
            assert reg.inputs[key] == twin.inputs[key], key


def test_the_mesh_phase_defaults_to_the_clusters_network_slot(offline: Runner) -> None:
    run = offline(lambda: _bare_team("blue", "blue"))
    assert f"blue-worker-1/{NETWORK_PHASE}-mesh.sh" in run.value
    urn = {r.name: r.urn for r in run.registrations}
    mesh_step = run.named(f"blue-cluster-blue-worker-1-{NETWORK_PHASE}-mesh")
    assert urn["blue-cluster-blue-worker-1-30-kubernetes-packages"] in mesh_step.dependencies
    firewall = run.named("blue-cluster-blue-worker-1-43-firewall")
    assert mesh_step.urn in firewall.dependencies


# --- help() ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("component", "names"),
    [
        (Cluster, ["kubernetes_version", '"1.34"', "10.244.0.0/16", "10.96.0.0/12"]),
        (GcpMachine, ["europe-west4-a", "e2-standard-4", "ubuntu-2404"]),
        (Mesh, ["10.254.0.0/24", "51820", "1420", "42"]),
        (Workload, ["ghcr.io/rawkodeacademy/klustered:v1", "postgres:16"]),
        (Break, ["scenario", "default_verify", "revert_on_destroy"]),
    ],
)
def test_help_shows_what_a_constructor_needs_and_its_defaults(
    component: type, names: list[str]
) -> None:
    doc = component.__init__.__doc__
    assert doc, f"{component.__name__}.__init__ has no docstring"
    shown = pydoc.render_doc(component, renderer=pydoc.plaintext)
    assert doc.splitlines()[0] in shown
    for name in names:
        assert name in doc, f"{component.__name__}: {name} not in its constructor docstring"


def test_constructor_docstrings_state_the_current_defaults() -> None:
    from components.cluster import DEFAULT_POD_CIDR, DEFAULT_SERVICE_CIDR, DEFAULT_VERSION
    from components.machines import defaults as machine_defaults
    from components.mesh import DEFAULT_CIDR, PHASE

    cluster_doc = Cluster.__init__.__doc__ or ""
    for value in (DEFAULT_VERSION, DEFAULT_POD_CIDR, DEFAULT_SERVICE_CIDR):
        assert value in cluster_doc
    gcp_doc = GcpMachine.__init__.__doc__ or ""
    for value in (machine_defaults.GCP_ZONE, machine_defaults.GCP_MACHINE_TYPE):
        assert value in gcp_doc
    mesh_doc = Mesh.__init__.__doc__ or ""
    for value in (DEFAULT_CIDR, str(DEFAULT_PORT), str(DEFAULT_MTU), str(PHASE)):
        assert value in mesh_doc
    spec = WorkloadSpec()
    assert spec.app_image in (Workload.__init__.__doc__ or "")
    assert spec.postgres_image in (Workload.__init__.__doc__ or "")
    assert StackConfig.model_fields["kubernetes"].default.version == DEFAULT_VERSION
    assert components.__all__
