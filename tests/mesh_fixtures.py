"""Shared helpers for the mesh tests: a team's rendered wg0.conf files with real keys."""

from __future__ import annotations

import base64
import ipaddress
import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from components.mesh.addresses import mesh_addresses
from components.mesh.keys import key_pair_from_seed
from components.mesh.wgconf import WireGuardPeer, render_wg_conf
from components.nodes import node_slots


@dataclass(frozen=True)
class RenderedNode:
    """One node's rendered mesh config and the values it was rendered from."""

    team: str
    name: str
    address: ipaddress.IPv4Interface
    public_ip: str
    public_key: str
    config: str


def render_team_configs(
    cidr: str,
    teams: Sequence[tuple[str, int, int]],
    public_ips: Mapping[str, str],
    *,
    port: int = 51820,
    mtu: int = 1420,
    keepalive: int = 25,
) -> list[RenderedNode]:
    """Render wg0.conf for every node of every team with fresh random keys.

    `public_ips` maps node name to the address teammates use as its Endpoint.
    """
    addresses = mesh_addresses(cidr, teams)
    keys = {name: key_pair_from_seed(os.urandom(32)) for name in addresses}
    rendered: list[RenderedNode] = []
    for team, control_planes, workers in teams:
        names = [slot.name for slot in node_slots(team, control_planes, workers)]
        for name in names:
            peers = [
                WireGuardPeer(t, keys[t].public_key, public_ips[t], addresses[t])
                for t in names
                if t != name
            ]
            config = render_wg_conf(
                node=name,
                private_key=keys[name].private_key,
                address=addresses[name],
                port=port,
                mtu=mtu,
                keepalive=keepalive,
                peers=peers,
            )
            rendered.append(
                RenderedNode(
                    team, name, addresses[name], public_ips[name], keys[name].public_key, config
                )
            )
    return rendered


def nodes_from_plan(plan_dir: Path) -> list[RenderedNode]:
    """Every node's wg0.conf as the offline plan wrote it (`<plan>/<team>/<node>/wg0.conf`).

    A node's own public address is not in its config: it is the Endpoint its teammates
    use for it (the peer sections are headed `# <node name>`).
    """
    configs = {path.parent.name: path for path in sorted(plan_dir.glob("*/*/wg0.conf"))}
    endpoints: dict[str, str] = {}
    for path in configs.values():
        peer = ""
        for line in path.read_text().splitlines():
            if line.startswith("# ") and line[2:] in configs:
                peer = line[2:]
            elif line.startswith("Endpoint") and peer:
                endpoints[peer] = line.split("=", 1)[1].strip().rsplit(":", 1)[0]
    nodes = []
    for name, path in configs.items():
        text = path.read_text()
        fields = dict(
            (k.strip(), v.strip())
            for k, _, v in (line.partition("=") for line in text.splitlines())
            if k.strip() in ("PrivateKey", "Address")
        )
        private = X25519PrivateKey.from_private_bytes(base64.b64decode(fields["PrivateKey"]))
        public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        nodes.append(
            RenderedNode(
                team=path.parent.parent.name,
                name=name,
                address=ipaddress.IPv4Interface(fields["Address"]),
                public_ip=endpoints[name],
                public_key=base64.b64encode(public).decode(),
                config=text,
            )
        )
    return nodes


def missing_tools(*tools: str) -> list[str]:
    """The tools of `tools` not found on PATH (or in /usr/sbin, /sbin)."""
    path = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
    return [tool for tool in tools if shutil.which(tool, path=path) is None]
