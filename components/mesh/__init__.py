"""KubeSpan-style WireGuard mesh for kubeadm nodes: addresses, keys, wg0.conf, bootstrap phase.

    from components.mesh import Mesh, MeshArgs, mesh_addresses

Public names load their module on first use (the renderers import without the SDKs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from components.mesh.addresses import (
        DEFAULT_CIDR,
        mesh_addresses,
    )
    from components.mesh.component import (
        Mesh,
        MeshArgs,
        MeshNode,
        MeshNodeArgs,
    )
    from components.mesh.keys import (
        WireGuardKeyPair,
        key_pair_from_base64,
        key_pair_from_seed,
    )
    from components.mesh.phase import (
        PHASE,
        render_mesh_phase,
    )
    from components.mesh.wgconf import (
        DEFAULT_KEEPALIVE,
        DEFAULT_MTU,
        DEFAULT_PORT,
        WireGuardPeer,
        render_wg_conf,
    )

_EXPORTS = {
    "DEFAULT_CIDR": "components.mesh.addresses",
    "mesh_addresses": "components.mesh.addresses",
    "Mesh": "components.mesh.component",
    "MeshArgs": "components.mesh.component",
    "MeshNode": "components.mesh.component",
    "MeshNodeArgs": "components.mesh.component",
    "WireGuardKeyPair": "components.mesh.keys",
    "key_pair_from_base64": "components.mesh.keys",
    "key_pair_from_seed": "components.mesh.keys",
    "PHASE": "components.mesh.phase",
    "render_mesh_phase": "components.mesh.phase",
    "DEFAULT_KEEPALIVE": "components.mesh.wgconf",
    "DEFAULT_MTU": "components.mesh.wgconf",
    "DEFAULT_PORT": "components.mesh.wgconf",
    "WireGuardPeer": "components.mesh.wgconf",
    "render_wg_conf": "components.mesh.wgconf",
}
__all__ = [
    "DEFAULT_CIDR",
    "DEFAULT_KEEPALIVE",
    "DEFAULT_MTU",
    "DEFAULT_PORT",
    "PHASE",
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


__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)
