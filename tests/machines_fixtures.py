"""Stacks on each substrate, the host's SSH key, and helpers to look for that key in inputs."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from klustered.offline import Registration, mask_secrets
from klustered.plan import OfflineRun

SCALEWAY_PROJECT = "11111111-2222-4333-8444-555555555555"
SSH_KEY_CONFIG = "klustered:sshKey"


def host_private_key(label: str = "host") -> str:
    """An unencrypted OpenSSH Ed25519 private key, the same for the same label."""
    seed = hashlib.sha256(label.encode()).digest()
    key = ed25519.Ed25519PrivateKey.from_private_bytes(seed)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    ).decode()


def key_fragments(private_key: str) -> set[str]:
    """Pieces of a private key that must never show in plain text: every body line, and the
    raw private scalar in base64 (what a careless re-encoding would leak)."""
    lines = [line for line in private_key.strip().splitlines() if "-----" not in line]
    blob = base64.b64decode("".join(lines))
    return {line for line in lines if len(line) >= 16} | {base64.b64encode(blob[-64:-32]).decode()}


def stack(
    teams: list[dict[str, Any]],
    *,
    mesh: bool = True,
    provider: str = "gcp",
    ssh_key: str | None = None,
    mtu: int | None = None,
) -> dict[str, Any]:
    """A stack config mapping (values as in a stack file) over the given teams."""
    config: dict[str, Any] = {
        "klustered:machines": {
            "provider": provider,
            "gcp": {"project": "test-project"},
            "scaleway": {"project": SCALEWAY_PROJECT},
        },
        "klustered:mesh": {"enabled": mesh, **({"mtu": mtu} if mtu is not None else {})},
        "klustered:teams": teams,
    }
    if ssh_key is not None:
        config[SSH_KEY_CONFIG] = ssh_key
    return config


def plain_text_inputs(reg: Registration) -> str:
    """A registration's inputs as JSON with every secret envelope masked."""
    return json.dumps(mask_secrets(reg.raw_inputs))


def files_of(run: OfflineRun, suffix: str) -> dict[str, str]:
    """Rendered files whose path ends with `suffix`, by path."""
    return {path: text for path, text in (run.value or {}).items() if path.endswith(suffix)}
