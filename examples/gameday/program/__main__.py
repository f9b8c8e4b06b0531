"""A game day: two teams, two kubeadm clusters on two substrates, one break each.

Team `cloud` gets GCP Compute instances; team `onprem` gets machines the host already has
(ExistingMachine: addresses from the config, nothing is created; a machine leaving the
stack is reset), joined over the WireGuard mesh because they may sit in different
networks. Built from the Klustered components; the config is this project's own
(`gameday:*`).
"""

import dataclasses
from typing import Any

import pulumi
import pulumi_tls as tls
from sides import Side, read_sides

from breaks import Break, load_break
from components import node_slots
from components.cluster import Cluster, ClusterNodeArgs
from components.machines import ExistingMachine, GcpMachine, GcpTeamFirewall, MachineHost
from components.machines.underlay import ETHERNET_MTU, mesh_mtu
from components.mesh import DEFAULT_CIDR, DEFAULT_PORT, Mesh, mesh_addresses
from components.workload import Workload

config = pulumi.Config()
stack = pulumi.get_stack()  # the prefix of cloud names: two stacks never collide
version = config.get("kubernetesVersion") or "1.34"
cloud, onprem = read_sides(config)
rendered_files: dict[str, Any] = {}
"""What `klustered plan --project` writes under its output directory (pulumi up ignores it)."""


def apply_break(side: Side, cluster: Cluster, workload: Workload) -> None:
    """The side's break on its cluster, once the app is up; its scripts go into the plan."""
    applied = Break(
        f"{side.team}-break",
        {
            # With the app's handle, the break's verify is the app's own goal check.
            "cluster": dataclasses.replace(cluster.handle, workload=workload.handle),
            "scenario": load_break(side.break_id),
            "depends_on": [workload],
        },
    )
    rendered_files.update({f"{side.team}/{p}": t for p, t in applied.rendered_files.items()})


# --- team cloud: GCP Compute, one key generated for it ---------------------------------
cloud_key = tls.PrivateKey("cloud-ssh-key", algorithm="ED25519")
cloud_nodes: list[ClusterNodeArgs] = []
for slot in node_slots(cloud.team, 1, cloud.workers):
    machine = GcpMachine(
        slot.name,
        {
            "host": MachineHost.for_node(slot),
            "project": cloud.project,
            "name_prefix": stack,
            "ssh_public_key": cloud_key.public_key_openssh,
        },
    )
    cloud_nodes.append(
        {
            "slot": slot,
            "public_ip": machine.public_ip,
            "cluster_ip": machine.private_ip,
            "ssh_user": machine.ssh_user,
            "machine": machine.resource,
        }
    )
GcpTeamFirewall(
    f"{cloud.team}-firewall",
    {"team": cloud.team, "project": cloud.project, "name_prefix": stack},
)
cloud_cluster = Cluster(
    f"{cloud.team}-cluster",
    {
        "team": cloud.team,
        "kubernetes_version": version,
        "nodes": cloud_nodes,
        "ssh_private_key": cloud_key.private_key_openssh,
    },
)
cloud_workload = Workload(f"{cloud.team}-workload", {"provider": cloud_cluster.provider})
apply_break(cloud, cloud_cluster, cloud_workload)

# --- team onprem: the host's machines, over the mesh ------------------------------------
onprem_key = config.require_secret("sshPrivateKey")
onprem_slots = node_slots(onprem.team, 1, len(onprem.hosts) - 1)
onprem_machines = {
    slot.name: ExistingMachine(
        slot.name,
        {
            "host": MachineHost.for_node(slot),
            "address": address,
            "private_address": private,
            "user": onprem.user,
            "underlay_mtu": ETHERNET_MTU,
            "ssh_private_key": onprem_key,
        },
    )
    for slot, (address, private) in zip(onprem_slots, onprem.hosts, strict=True)
}
addresses = mesh_addresses(DEFAULT_CIDR, [(onprem.team, 1, len(onprem.hosts) - 1)])
onprem_mtu = mesh_mtu(m.underlay_mtu for m in onprem_machines.values())
mesh = Mesh(
    f"{onprem.team}-mesh",
    {
        "team": onprem.team,
        "mtu": onprem_mtu,
        # cidr, port, keepalive and the phase (42) take the Mesh's defaults.
        "nodes": [
            {
                "slot": slot,
                "public_ip": onprem_machines[slot.name].public_ip,
                "address": str(addresses[slot.name]),
            }
            for slot in onprem_slots
        ],
    },
)
onprem_nodes: list[ClusterNodeArgs] = [
    {
        "slot": slot,
        "public_ip": onprem_machines[slot.name].public_ip,
        "cluster_ip": str(mesh.nodes[slot.name].address.ip),
        "ssh_user": onprem_machines[slot.name].ssh_user,
        "machine": onprem_machines[slot.name].resource,
        "extra_phases": [
            {
                "file": mesh.nodes[slot.name].phase_file,
                "script": mesh.nodes[slot.name].phase_script,
                "secret": True,
            }
        ],
    }
    for slot in onprem_slots
]
onprem_cluster = Cluster(
    f"{onprem.team}-cluster",
    {
        "team": onprem.team,
        "kubernetes_version": version,
        "nodes": onprem_nodes,
        "ssh_private_key": onprem_key,
        # The cluster addresses are on the mesh: Cilium gets its MTU, the host firewall its port.
        "cilium_mtu": onprem_mtu,
        "mesh_port": DEFAULT_PORT,
    },
)
onprem_workload = Workload(f"{onprem.team}-workload", {"provider": onprem_cluster.provider})
apply_break(onprem, onprem_cluster, onprem_workload)

for team, cluster in ((cloud.team, cloud_cluster), (onprem.team, onprem_cluster)):
    rendered_files.update({f"{team}/{p}": t for p, t in cluster.rendered_files.items()})
rendered_files.update({f"{onprem.team}/{p}": t for p, t in mesh.rendered_files.items()})

pulumi.export(
    "teams",
    {
        side.team: {"apiEndpoint": cluster.api_endpoint, "kubeconfig": cluster.kubeconfig}
        for side, cluster in ((cloud, cloud_cluster), (onprem, onprem_cluster))
    },
)
