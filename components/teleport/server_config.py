"""teleport.yaml (config v3) of the episode's Teleport server: auth and proxy on one machine.

The proxy multiplexes every protocol on 443. With a DNS name the proxy gets its certificate
from Let's Encrypt (ACME TLS-ALPN-01, so 443 must be reachable from the internet); without
one it presents a self-signed certificate on the machine's address, and agents join the
auth service directly on 3025, verifying it by its CA pin.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any

import yaml

WEB_PORT = 443
"""The proxy's only public port (multiplexed: web, SSH, reverse tunnels, Kubernetes)."""
AUTH_PORT = 3025
"""The auth service; agents join it directly when the proxy has no trusted certificate."""
DIAG_ADDR = "127.0.0.1:3000"
"""Diagnostics endpoint (`/readyz`) the scripts poll; loopback only."""
DATA_DIR = "/var/lib/teleport"
CONFIG_PATH = "/etc/teleport.yaml"
CONNECTOR_NAME = "github"
"""The GitHub auth connector the cluster logs users in with."""

_DNS_NAME = re.compile(r"^(?=.{1,253}\Z)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\Z")


def is_ip(host: str) -> bool:
    """True when `host` is an IP address (no certificate authority signs those for us)."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class ServerSpec:
    """What the server's config needs: its names and, with a DNS name, an ACME contact."""

    cluster_name: str
    """The Teleport cluster name (permanent for the cluster's life)."""
    public_host: str
    """The proxy's public name: `teleport.<stack>.<domain>`, or the machine's address."""
    acme_email: str | None = None
    """Set: certificates from Let's Encrypt for `public_host` (which must be a DNS name)."""
    node_name: str = "teleport"

    def __post_init__(self) -> None:
        if not self.cluster_name or not re.match(r"^[A-Za-z0-9._-]+\Z", self.cluster_name):
            raise ValueError(f"Teleport cluster name {self.cluster_name!r} is not a name")
        if not (is_ip(self.public_host) or _DNS_NAME.match(self.public_host)):
            raise ValueError(f"Teleport public host {self.public_host!r} is not a DNS name or IP")
        if self.acme_email is not None and is_ip(self.public_host):
            raise ValueError("ACME needs a DNS name: Let's Encrypt does not sign IP addresses")

    @property
    def acme(self) -> bool:
        """True when the proxy's certificate comes from Let's Encrypt."""
        return self.acme_email is not None

    @property
    def public_url(self) -> str:
        """https://<public host> (443 is implied)."""
        host = f"[{self.public_host}]" if ":" in self.public_host else self.public_host
        return f"https://{host}"


def server_config(spec: ServerSpec) -> dict[str, Any]:
    """The server's teleport.yaml as a mapping (fields from lib/config/fileconf.go, v3)."""
    proxy: dict[str, Any] = {
        "enabled": True,
        "web_listen_addr": f"0.0.0.0:{WEB_PORT}",
        "public_addr": [f"{spec.public_host}:{WEB_PORT}"],
    }
    if spec.acme:
        proxy["acme"] = {"enabled": True, "email": spec.acme_email}
    return {
        "version": "v3",
        "teleport": {
            "nodename": spec.node_name,
            "data_dir": DATA_DIR,
            "diag_addr": DIAG_ADDR,
            "log": {"output": "stderr", "severity": "INFO", "format": {"output": "text"}},
        },
        "auth_service": {
            "enabled": True,
            "listen_addr": f"0.0.0.0:{AUTH_PORT}",
            "cluster_name": spec.cluster_name,
            "proxy_listener_mode": "multiplex",
            "authentication": {
                "type": "github",
                "connector_name": CONNECTOR_NAME,
                "local_auth": False,
            },
        },
        "proxy_service": proxy,
        # The server is not a fixer's target: its own SSH service stays off.
        "ssh_service": {"enabled": False},
    }


def render_server_config(spec: ServerSpec) -> str:
    """teleport.yaml of the auth + proxy server."""
    return yaml.safe_dump(server_config(spec), sort_keys=False)
