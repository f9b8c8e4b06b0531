"""Shared helpers for the mesh tests: a team's rendered wg0.conf files with real keys."""

from __future__ import annotations

import ipaddress
import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

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


def missing_tools(*tools: str) -> list[str]:
    """The tools of `tools` not found on PATH (or in /usr/sbin, /sbin)."""
    path = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
    return [tool for tool in tools if shutil.which(tool, path=path) is None]
