"""KubeSpan-style WireGuard mesh for kubeadm nodes: addresses, keys, wg0.conf, bootstrap phase."""

from components.mesh.addresses import mesh_addresses
from components.mesh.component import Mesh, MeshArgs, MeshNode, MeshNodeArgs
from components.mesh.keys import WireGuardKeyPair, key_pair_from_base64, key_pair_from_seed
from components.mesh.phase import render_mesh_phase
from components.mesh.wgconf import WireGuardPeer, render_wg_conf

__all__ = [
    "Mesh",
    "MeshArgs",
    "MeshNode",
    "MeshNodeArgs",
    "WireGuardKeyPair",
    "WireGuardPeer",
    "key_pair_from_base64",
    "key_pair_from_seed",
    "mesh_addresses",
    "render_mesh_phase",
    "render_wg_conf",
]
