"""Address ranges as the cluster's tools accept them, and the ranges no cluster may use."""

from __future__ import annotations

import ipaddress
import re

from klustered.config.errors import show

_PREFIX_FORM = re.compile(r"(?:0|[1-9][0-9]{0,2})(?:\.(?:0|[1-9][0-9]{0,2})){3}/[0-9]{1,2}\Z")

SPECIAL_RANGES: dict[str, ipaddress.IPv4Network] = {
    "'this network' (0.0.0.0/8)": ipaddress.IPv4Network("0.0.0.0/8"),
    "loopback (127.0.0.0/8)": ipaddress.IPv4Network("127.0.0.0/8"),
    "link-local and the cloud metadata server (169.254.0.0/16)": ipaddress.IPv4Network(
        "169.254.0.0/16"
    ),
    "multicast (224.0.0.0/4)": ipaddress.IPv4Network("224.0.0.0/4"),
    "reserved and broadcast (240.0.0.0/4)": ipaddress.IPv4Network("240.0.0.0/4"),
}
"""Ranges a pod, service or mesh network would collide with on every node."""

POD_PREFIX_PER_NODE = 24
"""Cilium's cluster-pool IPAM (and kube-controller-manager) give each node a /24."""
SERVICE_PREFIX_LARGEST = 12
"""kube-apiserver refuses an IPv4 service range larger than a /12."""
SERVICE_PREFIX_SMALLEST = 28
"""kubeadm gives kube-dns the 10th address of the service range: a /28 is the smallest
range holding it."""


def prefix_network(value: str) -> ipaddress.IPv4Network:
    """`a.b.c.d/n` with the host bits zero; ValueError naming what is wrong."""
    if not _PREFIX_FORM.match(value):
        raise ValueError(f"{show(value)} is not an IPv4 network in prefix form like 10.244.0.0/16")
    try:
        network = ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        raise ValueError(f"{show(value)} is not an IPv4 network ({exc})") from None
    return network


def usable_network(value: str) -> ipaddress.IPv4Network:
    """A prefix-form network that overlaps none of the special ranges."""
    network = prefix_network(value)
    for what, special in SPECIAL_RANGES.items():
        if network.overlaps(special):
            raise ValueError(f"{show(value)} overlaps {what}")
    return network


def is_private(network: ipaddress.IPv4Network) -> bool:
    """True inside RFC 1918 or the shared (CGNAT) range 100.64.0.0/10."""
    return any(
        network.subnet_of(ipaddress.IPv4Network(r))
        for r in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")
    )
