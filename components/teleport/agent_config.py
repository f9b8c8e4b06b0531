"""teleport.yaml (config v3) of a node agent: the SSH service with the node's team labels.

The join token is never in the config: `join_params.token_name` names a root-only file the
agent phase writes (Teleport reads a token from an absolute file path), and `ca_pin` names
the file holding the cluster's CA pins.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from components.teleport.server_config import (
    AUTH_PORT,
    DATA_DIR,
    DIAG_ADDR,
    WEB_PORT,
    is_ip,
)

TOKEN_FILE = "/etc/teleport/join-token"
"""Root-only (0600) file holding the node's short-lived join token."""
CA_PIN_FILE = "/etc/teleport/ca-pins"
"""The cluster's CA pins, one per line (not secret)."""

_LABEL = re.compile(r"^[A-Za-z0-9._/-]{1,63}\Z")


@dataclass(frozen=True)
class JoinTarget:
    """Where an agent joins: the proxy (trusted certificate) or the auth service (CA pin)."""

    host: str
    """The proxy's DNS name, or the Teleport machine's address."""
    via_proxy: bool
    """True: `proxy_server host:443` (reverse tunnel). False: `auth_server host:3025`."""

    @classmethod
    def for_server(cls, public_host: str, *, acme: bool) -> JoinTarget:
        """Through the proxy when it has an ACME certificate, else straight to auth."""
        if acme and is_ip(public_host):
            raise ValueError("an ACME proxy has a DNS name, not an IP address")
        return cls(public_host, via_proxy=acme)

    @property
    def address(self) -> str:
        """host:port the agent dials."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{WEB_PORT if self.via_proxy else AUTH_PORT}"


@dataclass(frozen=True)
class AgentSpec:
    """One node's agent: its name, its labels and where it joins."""

    node_name: str
    target: JoinTarget
    labels: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for key, value in self.labels.items():
            if not _LABEL.match(key) or not _LABEL.match(value):
                raise ValueError(f"{self.node_name}: label {key}={value} is not a Teleport label")


def agent_config(spec: AgentSpec) -> dict[str, Any]:
    """The agent's teleport.yaml as a mapping (fields from lib/config/fileconf.go, v3)."""
    teleport: dict[str, Any] = {
        "nodename": spec.node_name,
        "data_dir": DATA_DIR,
        "join_params": {"method": "token", "token_name": TOKEN_FILE},
        "ca_pin": CA_PIN_FILE,
        "diag_addr": DIAG_ADDR,
        "log": {"output": "stderr", "severity": "INFO", "format": {"output": "text"}},
    }
    if spec.target.via_proxy:
        teleport["proxy_server"] = spec.target.address
    else:
        teleport["auth_server"] = spec.target.address
    return {
        "version": "v3",
        "teleport": teleport,
        "auth_service": {"enabled": False},
        "proxy_service": {"enabled": False},
        "ssh_service": {"enabled": True, "labels": dict(spec.labels)},
    }


def render_agent_config(spec: AgentSpec) -> str:
    """teleport.yaml of one node agent."""
    return yaml.safe_dump(agent_config(spec), sort_keys=False)
