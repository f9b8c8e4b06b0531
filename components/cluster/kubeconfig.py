"""The admin kubeconfig as the operator uses it: admin.conf pointed at a public address."""

from __future__ import annotations

from typing import Any

import yaml


def external_kubeconfig(admin_conf: str, server: str) -> str:
    """`admin_conf` with every cluster's server replaced by `server` (https://host:port).

    kubeadm writes the control-plane endpoint, a name only the nodes resolve; the public
    address is in the API server's certificate SANs, so TLS verification still holds.
    """
    if not server.startswith("https://"):
        raise ValueError(f"server must be an https:// URL, got {server!r}")
    config: Any = yaml.safe_load(admin_conf)
    if not isinstance(config, dict) or not config.get("clusters"):
        raise ValueError("not a kubeconfig: no clusters")
    for entry in config["clusters"]:
        entry["cluster"]["server"] = server
    return yaml.safe_dump(config, sort_keys=False)
