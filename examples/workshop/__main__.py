"""A one-node Kubernetes workshop on GCP: a kubeadm cluster, the Klustered app, one break.

Built from the Klustered components; the config is this project's own (`workshop:*`).
"""

import dataclasses

import pulumi
import pulumi_tls as tls

from breaks import Break, load_break
from components import NodeRole, NodeSlot
from components.cluster import Cluster
from components.machines import GcpMachine, GcpTeamFirewall, MachineHost
from components.workload import Workload

config = pulumi.Config()
stack = pulumi.get_stack()  # the prefix of the cloud names: two stacks never collide
team = config.get("team") or "workshop"
gcp_project = config.require("gcpProject")
break_id = config.get("break") or "service-selector-typo"

# One key for every remote command; the machine's metadata only carries the public half.
ssh_key = tls.PrivateKey(f"{team}-ssh-key", algorithm="ED25519")

slot = NodeSlot(team, NodeRole.CONTROL_PLANE, 1)
machine = GcpMachine(
    f"{team}-control-plane-1",
    # Zone, machine type, image and network take the components' defaults.
    {
        "host": MachineHost.for_node(slot),
        "project": gcp_project,
        "name_prefix": stack,
        "ssh_public_key": ssh_key.public_key_openssh,
    },
)
GcpTeamFirewall(f"{team}-firewall", {"team": team, "project": gcp_project, "name_prefix": stack})

cluster = Cluster(
    f"{team}-cluster",
    {
        "team": team,
        "nodes": [
            {
                "slot": slot,
                "public_ip": machine.public_ip,
                "cluster_ip": machine.private_ip,
                "ssh_user": machine.ssh_user,
                "machine": machine.resource,
            }
        ],
        "ssh_private_key": ssh_key.private_key_openssh,
        # The Kubernetes version and the pod and service ranges take the defaults.
        **({"kubernetes_version": v} if (v := config.get("kubernetesVersion")) else {}),
    },
)
workload = Workload(f"{team}-workload", {"provider": cluster.provider})
the_break = Break(
    f"{team}-break",
    {
        # With the app's handle, the break's verify is the app's own goal check.
        "cluster": dataclasses.replace(cluster.handle, workload=workload.handle),
        "scenario": load_break(break_id),
        "depends_on": [workload],
    },
)

pulumi.export("apiEndpoint", cluster.api_endpoint)
pulumi.export("kubeconfig", cluster.kubeconfig)
pulumi.export("console", machine.console)

rendered_files = {
    f"{team}/{path}": text
    for path, text in {**cluster.rendered_files, **the_break.rendered_files}.items()
}
"""What `klustered plan --project` writes under its output directory (pulumi up ignores it)."""
