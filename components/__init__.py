"""Reusable Klustered components: machines, cluster, mesh, access, DNS, workload.

Nothing here imports `breaks` or `klustered`, and nothing here reads `pulumi.Config`:
callers pass typed args. Each package exports its public API (`from components.cluster
import Cluster`); the node identity every component shares is exported here.
"""

from components.nodes import NETWORK_PHASE, NodeRole, NodeSlot, node_slots

__all__ = ["NETWORK_PHASE", "NodeRole", "NodeSlot", "node_slots"]
