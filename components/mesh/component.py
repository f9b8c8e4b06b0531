"""The Mesh component: WireGuard keys and rendered per-node config for one team's cluster."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_random as random

from components.mesh.addresses import DEFAULT_CIDR
from components.mesh.keys import KEY_LENGTH, WireGuardKeyPair, key_pair_from_base64
from components.mesh.phase import PHASE, phase_file_name, render_mesh_phase
from components.mesh.wgconf import (
    DEFAULT_KEEPALIVE,
    DEFAULT_MTU,
    DEFAULT_PORT,
    WireGuardPeer,
    render_wg_conf,
)
from components.nodes import NodeSlot


class MeshNodeArgs(TypedDict):
    """One node of the team's cluster as the mesh sees it."""

    slot: NodeSlot
    """Which node this is (team, role, index)."""
    public_ip: pulumi.Input[str]
    """The machine's public address: teammates' WireGuard Endpoint."""
    address: str
    """The node's mesh address from `mesh_addresses` (with or without the prefix)."""
    public_interface: NotRequired[str]
    """The public NIC for the firewall; default: the node's default-route interface."""


class MeshArgs(TypedDict):
    """A team's mesh: the team and its nodes (required); the network, port, MTU, keepalive
    and bootstrap phase (optional: 10.254.0.0/24, 51820, 1420, 25 s, 42)."""

    team: str
    """The team whose nodes form this mesh (every node must belong to it)."""
    nodes: list[MeshNodeArgs]
    """Every node of the team's cluster."""
    cidr: NotRequired[str]
    """The whole episode's mesh network (every node's address is in it); default
    DEFAULT_CIDR (10.254.0.0/24)."""
    port: NotRequired[int]
    """WireGuard UDP port on every node; default DEFAULT_PORT (51820)."""
    mtu: NotRequired[int]
    """MTU of the WireGuard interface (give Cilium the same); default DEFAULT_MTU (1420, an
    Ethernet underlay: on GCP pass `mesh_mtu([GCP_VPC_MTU])`, 1380)."""
    keepalive: NotRequired[int]
    """PersistentKeepalive in seconds, 0 turns it off; default DEFAULT_KEEPALIVE (25)."""
    phase: NotRequired[int]
    """Position of the mesh phase in the node's bootstrap (the NN of NN-mesh.sh); default
    PHASE (42), where the Cluster component runs a phase needing the teammates' addresses."""


def _with_defaults(args: MeshArgs) -> MeshArgs:
    """`args` with every optional field set."""
    return {
        "team": args["team"],
        "nodes": args["nodes"],
        "cidr": args.get("cidr", DEFAULT_CIDR),
        "port": args.get("port", DEFAULT_PORT),
        "mtu": args.get("mtu", DEFAULT_MTU),
        "keepalive": args.get("keepalive", DEFAULT_KEEPALIVE),
        "phase": args.get("phase", PHASE),
    }


@dataclass(frozen=True)
class MeshNode:
    """What the mesh gives one node: its address, public key, config and bootstrap phase."""

    name: str
    address: ipaddress.IPv4Interface
    """The mesh address with the mesh cidr's prefix length (kubelet node-ip, etcd, API)."""
    public_key: pulumi.Output[str]
    """The node's WireGuard public key (not secret)."""
    config: pulumi.Output[str]
    """wg0.conf, holding the private key (secret)."""
    phase_script: pulumi.Output[str]
    """mesh.sh with the config embedded, to send on stdin (secret)."""
    phase_file: str
    """The phase's file name, `<NN>-mesh.sh`."""


def _validated_addresses(args: MeshArgs) -> dict[str, ipaddress.IPv4Interface]:
    """Each node's mesh address, checked against the team, the cidr and each other."""
    network = ipaddress.IPv4Network(args["cidr"], strict=True)
    if not args["nodes"]:
        raise ValueError(f"mesh of team {args['team']}: no nodes")
    result: dict[str, ipaddress.IPv4Interface] = {}
    for node in args["nodes"]:
        slot = node["slot"]
        if slot.team != args["team"]:
            raise ValueError(
                f"mesh of team {args['team']}: node {slot.name} belongs to team {slot.team}"
            )
        if slot.name in result:
            raise ValueError(f"mesh of team {args['team']}: node {slot.name} listed twice")
        ip = ipaddress.IPv4Interface(node["address"]).ip
        if ip not in network or ip in (network.network_address, network.broadcast_address):
            raise ValueError(f"mesh: {slot.name} address {ip} is not a host of {network}")
        if any(other.ip == ip for other in result.values()):
            raise ValueError(f"mesh: {slot.name} repeats address {ip}")
        result[slot.name] = ipaddress.IPv4Interface(f"{ip}/{network.prefixlen}")
    return result


class Mesh(pulumi.ComponentResource):
    """A KubeSpan-style WireGuard full mesh between the nodes of one team's cluster.

    Keys come from one RandomBytes per node; a change in the node list only changes the
    rendered configs and phases of the teammates, never a key or a machine.
    """

    nodes: dict[str, MeshNode]
    """Per node name: address, public key, config and phase script."""
    rendered_files: dict[str, pulumi.Output[str]]
    """`<node>/wg0.conf` and `<node>/<NN>-mesh.sh` for the offline plan (secret)."""

    def __init__(
        self, name: str, args: MeshArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        """Give every node in `args["nodes"]` a WireGuard key, its wg0.conf and its phase.

        Each node needs its slot, public_ip and mesh `address` (from `mesh_addresses`).
        Optional args: `cidr` (default "10.254.0.0/24"), `port` (default 51820), `mtu`
        (default 1420), `keepalive` (default 25) and `phase` (default 42: pass
        `nodes[name].phase_file` / `phase_script` to the Cluster as an extra phase).
        """
        super().__init__("klustered:mesh:Mesh", name, {}, opts)
        args = _with_defaults(args)
        addresses = _validated_addresses(args)
        phase_file = phase_file_name(args.get("phase", PHASE))

        key_pairs: dict[str, pulumi.Output[WireGuardKeyPair]] = {}
        public_keys: dict[str, pulumi.Output[str]] = {}
        public_ips: dict[str, pulumi.Output[str]] = {}
        for node in args["nodes"]:
            node_name = node["slot"].name
            seed = random.RandomBytes(
                f"{name}-{node_name}-key",
                length=KEY_LENGTH,
                opts=pulumi.ResourceOptions(parent=self),
            )
            seed_b64: pulumi.Output[str] = pulumi.Output.secret(seed.base64)
            key_pairs[node_name] = seed_b64.apply(key_pair_from_base64)
            public_keys[node_name] = pulumi.Output.unsecret(
                key_pairs[node_name].apply(lambda pair: pair.public_key)
            )
            public_ips[node_name] = pulumi.Output.from_input(node["public_ip"])

        self.nodes = {}
        self.rendered_files = {}
        for node in args["nodes"]:
            node_name = node["slot"].name
            config = _config_output(
                args,
                addresses=addresses,
                node_name=node_name,
                key_pairs=key_pairs,
                public_keys=public_keys,
                public_ips=public_ips,
            )
            script = _phase_output(args, addresses, node, config)
            self.nodes[node_name] = MeshNode(
                name=node_name,
                address=addresses[node_name],
                public_key=public_keys[node_name],
                config=config,
                phase_script=script,
                phase_file=phase_file,
            )
            self.rendered_files[f"{node_name}/wg0.conf"] = config
            self.rendered_files[f"{node_name}/{phase_file}"] = script

        self.register_outputs(
            {
                "publicKeys": public_keys,
                "addresses": {n: str(a) for n, a in addresses.items()},
            }
        )


def _config_output(
    args: MeshArgs,
    *,
    addresses: dict[str, ipaddress.IPv4Interface],
    node_name: str,
    key_pairs: dict[str, pulumi.Output[WireGuardKeyPair]],
    public_keys: dict[str, pulumi.Output[str]],
    public_ips: dict[str, pulumi.Output[str]],
) -> pulumi.Output[str]:
    """wg0.conf of `node_name` as a secret Output, peering with every teammate."""
    teammates = sorted(n for n in addresses if n != node_name)

    def render(values: list[Any]) -> str:
        return _render_config(args, addresses, node_name, teammates, values)

    rendered: pulumi.Output[str] = pulumi.Output.all(
        key_pairs[node_name],
        *(public_keys[t] for t in teammates),
        *(public_ips[t] for t in teammates),
    ).apply(render)
    return pulumi.Output.secret(rendered)


def _phase_output(
    args: MeshArgs,
    addresses: dict[str, ipaddress.IPv4Interface],
    node: MeshNodeArgs,
    config: pulumi.Output[str],
) -> pulumi.Output[str]:
    """mesh.sh of one node with its config embedded, as a secret Output."""
    node_name = node["slot"].name

    def render(text: str) -> str:
        return render_mesh_phase(
            node=node_name,
            config=text,
            address=addresses[node_name],
            mtu=args["mtu"],
            port=args["port"],
            public_interface=node.get("public_interface", ""),
        )

    rendered: pulumi.Output[str] = config.apply(render)
    return pulumi.Output.secret(rendered)


def _render_config(
    args: MeshArgs,
    addresses: dict[str, ipaddress.IPv4Interface],
    node_name: str,
    teammates: list[str],
    values: list[Any],
) -> str:
    """wg0.conf of `node_name` from resolved values: its key pair, then peer keys and IPs."""
    own: WireGuardKeyPair = values[0]
    keys = values[1 : 1 + len(teammates)]
    ips = values[1 + len(teammates) :]
    peers = [
        WireGuardPeer(name=t, public_key=k, endpoint=ip, address=addresses[t])
        for t, k, ip in zip(teammates, keys, ips, strict=True)
    ]
    return render_wg_conf(
        node=node_name,
        private_key=own.private_key,
        address=addresses[node_name],
        port=args["port"],
        mtu=args["mtu"],
        keepalive=args["keepalive"],
        peers=peers,
    )
