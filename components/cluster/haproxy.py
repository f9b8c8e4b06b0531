"""The node-local API load balancer: haproxy on 127.0.0.1 in front of every control plane.

The kubespray "localhost load balancer" and Talos KubePrism pattern: every node (control
planes too) runs haproxy on 127.0.0.1:LOCAL_API_PORT in TCP mode, balancing over every
control plane's API server (`<cluster address>:6443`) with active `GET /healthz` checks
over TLS. Kubelet and Cilium talk to it, so no node depends on one control plane.
The port is not 6443: on a control plane the API server itself binds 0.0.0.0:6443.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence

LOCAL_API_PORT = 7445
"""The port of the node-local load balancer (KubePrism's)."""
LOCAL_API_HOST = "127.0.0.1"
CONFIG_PATH = "/etc/haproxy/haproxy.cfg"
CONFIG_TITLE = "# Node-local Kubernetes API load balancer (klustered):"
"""The first words of the config: how a reset tells klustered's haproxy.cfg from a host's own."""

_SERVER_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?\Z")


def local_api_server(port: int = LOCAL_API_PORT) -> str:
    """The URL kubelet and other node-local clients use: `https://127.0.0.1:<port>`."""
    return f"https://{LOCAL_API_HOST}:{port}"


def render_haproxy_config(
    backends: Sequence[tuple[str, str]],
    *,
    port: int = LOCAL_API_PORT,
    api_port: int = 6443,
) -> str:
    """haproxy.cfg balancing 127.0.0.1:`port` over `(name, address)` API servers.

    Checks: `GET /healthz` over TLS (the API server answers it without credentials),
    every 2 s, down after 3 failures, up after 2 successes. A connection that cannot be
    established is retried on another server (`option redispatch`).
    """
    if not backends:
        raise ValueError("haproxy: at least one control plane is needed")
    if not 1 <= port <= 65535 or port == api_port:
        raise ValueError(f"haproxy: port {port} must be 1..65535 and not the API port")
    names = [name for name, _ in backends]
    if len(set(names)) != len(names):
        raise ValueError("haproxy: backend names repeat")
    servers = []
    for name, address in backends:
        if not _SERVER_NAME.match(name):
            raise ValueError(f"haproxy: backend name {name!r} is not a DNS label")
        ip = ipaddress.ip_address(address)
        host = f"[{ip}]" if ip.version == 6 else str(ip)
        servers.append(f"    server {name} {host}:{api_port}")
    lines = [
        f"{CONFIG_TITLE} kubelet and Cilium use",
        f"# https://{LOCAL_API_HOST}:{port}; every control plane is a health-checked backend.",
        "global",
        "    log /dev/log local0 warning",
        "    maxconn 4000",
        "    user haproxy",
        "    group haproxy",
        "",
        "defaults",
        "    mode tcp",
        "    log global",
        "    option tcplog",
        "    option dontlognull",
        "    option redispatch",
        "    retries 3",
        "    timeout connect 5s",
        # API watches stay open for minutes without traffic.
        "    timeout client 15m",
        "    timeout server 15m",
        "    timeout check 3s",
        "",
        "frontend kube-apiserver",
        f"    bind {LOCAL_API_HOST}:{port}",
        "    default_backend kube-apiserver",
        "",
        "backend kube-apiserver",
        "    balance leastconn",
        "    option httpchk GET /healthz",
        "    http-check expect status 200",
        "    default-server check check-ssl verify none inter 2s fall 3 rise 2",
        *servers,
    ]
    return "\n".join(lines) + "\n"
