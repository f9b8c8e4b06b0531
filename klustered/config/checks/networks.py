"""Rules across the address ranges: pods, services and the mesh."""

from __future__ import annotations

import ipaddress

from components.mesh.addresses import BLOCK_SIZE as MESH_BLOCK
from components.mesh.addresses import MAX_WORKERS as MAX_MESH_WORKERS
from components.mesh.addresses import mesh_addresses
from klustered.config.checks.base import CheckContext, rule
from klustered.config.cidrs import POD_PREFIX_PER_NODE, SPECIAL_RANGES, is_private
from klustered.config.errors import ConfigError, ConfigWarning

GCP_AUTO_SUBNETS: dict[str, ipaddress.IPv4Network] = {
    region: ipaddress.IPv4Network(f"10.{second}.0.0/20")
    for region, second in (
        ("us-central1", 128),
        ("europe-west1", 132),
        ("us-west1", 138),
        ("asia-east1", 140),
        ("us-east1", 142),
        ("asia-northeast1", 146),
        ("asia-southeast1", 148),
        ("us-east4", 150),
        ("australia-southeast1", 152),
        ("europe-west2", 154),
        ("europe-west3", 156),
        ("southamerica-east1", 158),
        ("asia-south1", 160),
        ("northamerica-northeast1", 162),
        ("europe-west4", 164),
        ("europe-north1", 166),
        ("us-west2", 168),
        ("asia-east2", 170),
        ("europe-west6", 172),
        ("asia-northeast2", 174),
        ("asia-northeast3", 178),
        ("us-west3", 180),
        ("us-west4", 182),
        ("asia-southeast2", 184),
    )
}
"""The subnet an auto-mode VPC (GCP's `default` network) has in each region: the nodes'
own addresses come from it. Regions not listed are not checked."""


@rule("kubernetes")
def ranges_do_not_overlap(ctx: CheckContext) -> list[ConfigError]:
    """Pod, service and mesh ranges are disjoint (the mesh's only when its section is valid)."""
    cfg = ctx.config
    ranges = {
        "kubernetes.podCidr": ipaddress.IPv4Network(cfg.kubernetes.pod_cidr),
        "kubernetes.serviceCidr": ipaddress.IPv4Network(cfg.kubernetes.service_cidr),
    }
    if cfg.mesh.enabled and "mesh" not in ctx.failed:
        ranges["mesh.cidr"] = ipaddress.IPv4Network(cfg.mesh.cidr)
    keys = list(ranges)
    errors: list[ConfigError] = []
    for a_i, a in enumerate(keys):
        for b in keys[a_i + 1 :]:
            if ranges[a].overlaps(ranges[b]):
                errors.append(ConfigError(b, f"{ranges[b]} overlaps {a} ({ranges[a]})"))
    return errors


@rule("mesh", "teams")
def mesh_holds_every_node(ctx: CheckContext) -> list[ConfigError]:
    """The mesh range has an address block for every team and room for its nodes."""
    cfg = ctx.config
    if not cfg.mesh.enabled:
        return []
    errors: list[ConfigError] = []
    net = ipaddress.IPv4Network(cfg.mesh.cidr)
    teams_fit = net.num_addresses // MESH_BLOCK
    if len(cfg.teams) > teams_fit:
        errors.append(
            ConfigError(
                "mesh.cidr",
                f"{cfg.mesh.cidr} holds {teams_fit} team(s) of {MESH_BLOCK} addresses; "
                f"the stack has {len(cfg.teams)} teams",
            )
        )
    for where, team in ctx.teams:
        if team.workers > MAX_MESH_WORKERS:
            errors.append(
                ConfigError(
                    f"{where}.workers",
                    f"{team.workers} is above {MAX_MESH_WORKERS}, the most a team's "
                    f"{MESH_BLOCK}-address mesh block holds",
                )
            )
    if not errors:
        try:
            shapes = [(t.name, t.control_planes, t.workers) for t in cfg.teams]
            mesh_addresses(cfg.mesh.cidr, shapes)
        except ValueError as exc:
            errors.append(ConfigError("mesh.cidr", str(exc)))
    return errors


def _ranges(ctx: CheckContext) -> dict[str, ipaddress.IPv4Network]:
    cfg = ctx.config
    ranges = {
        "kubernetes.podCidr": ipaddress.IPv4Network(cfg.kubernetes.pod_cidr),
        "kubernetes.serviceCidr": ipaddress.IPv4Network(cfg.kubernetes.service_cidr),
    }
    if cfg.mesh.enabled and "mesh" not in ctx.failed:
        ranges["mesh.cidr"] = ipaddress.IPv4Network(cfg.mesh.cidr)
    return ranges


@rule("kubernetes", "teams")
def pod_range_holds_every_node(ctx: CheckContext) -> list[ConfigError]:
    """Every node of the biggest cluster gets its own /24 from the pod range."""
    pods = ipaddress.IPv4Network(ctx.config.kubernetes.pod_cidr)
    fits = 2 ** (POD_PREFIX_PER_NODE - pods.prefixlen)
    errors = []
    for where, team in ctx.teams:
        nodes = team.control_planes + team.workers
        if nodes > fits:
            errors.append(
                ConfigError(
                    "kubernetes.podCidr",
                    f"{pods} holds {fits} node(s) of a /{POD_PREFIX_PER_NODE} each; "
                    f"{where} ({team.name}) has {nodes}",
                )
            )
    return errors[:1]


@rule("kubernetes", "machines", "teams")
def ranges_clear_of_node_networks(ctx: CheckContext) -> list[ConfigError]:
    """Pod, service and mesh ranges stay off the networks the nodes' own addresses are on."""
    cfg = ctx.config
    node_networks: dict[str, ipaddress.IPv4Network] = {}
    for _, team in ctx.teams:
        for machines in (cfg.team_machines(team), cfg.team_machines(team, worker=True)):
            if machines.provider == "gcp" and machines.gcp.network == "default":
                region = machines.gcp.zone.rsplit("-", 1)[0]
                if region in GCP_AUTO_SUBNETS:
                    node_networks[region] = GCP_AUTO_SUBNETS[region]
    return [
        ConfigError(
            where,
            f"{net} overlaps {subnet}, the subnet of GCP's `default` network in {region} "
            "that the nodes' own addresses come from",
        )
        for where, net in _ranges(ctx).items()
        for region, subnet in sorted(node_networks.items())
        if net.overlaps(subnet)
    ]


@rule("kubernetes")
def ranges_are_private(ctx: CheckContext) -> list[ConfigWarning]:
    """A public range hides those internet addresses from the pods and nodes."""
    return [
        ConfigWarning(
            where,
            f"{net} is not a private range (10/8, 172.16/12, 192.168/16, 100.64/10): the "
            "internet addresses in it become unreachable from the cluster",
        )
        for where, net in _ranges(ctx).items()
        if not is_private(net)
    ]


@rule("kubernetes", "teams")
def host_addresses_are_usable(ctx: CheckContext) -> list[ConfigError]:
    """Machines the host already has: real unicast addresses, outside the cluster's ranges."""
    ranges = _ranges(ctx)
    errors: list[ConfigError] = []
    for where, team in ctx.teams:
        for node, host in sorted(team.hosts.items()):
            for field, value in (
                ("address", host.address),
                ("privateAddress", host.private_address),
            ):
                try:
                    ip = ipaddress.IPv4Address(value or "")
                except ValueError:
                    continue  # a DNS name, or not given
                path = f"{where}.hosts.{node}.{field}"
                special = next((w for w, n in SPECIAL_RANGES.items() if ip in n), None)
                if special is not None:
                    errors.append(ConfigError(path, f"{ip} is in {special}: not a host's address"))
                    continue
                errors += [
                    ConfigError(
                        path,
                        f"{ip} is inside {name} ({net}): the cluster's own addresses would "
                        "shadow it",
                    )
                    for name, net in ranges.items()
                    if ip in net
                ]
    return errors
