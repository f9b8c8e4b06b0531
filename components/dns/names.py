"""Names in an episode's DNS zone, and the checks that keep them valid DNS names.

The episode zone is `<stack>.<domain>`; in it, `api.<team>` (every control plane),
`<team>` (the app), `teleport` and `*.teleport` (the Teleport proxy and its apps).
"""

from __future__ import annotations

import hashlib
import re

MAX_LABEL = 63
"""Octets in one label (RFC 1035 2.3.4)."""
MAX_NAME = 253
"""Characters in a name written without its final dot (255 octets on the wire)."""
MANAGED_ZONE_NAME_MAX = 63
"""Cloud DNS managed zone names: 1-63 of a-z, 0-9 and '-', starting with a letter."""

_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?\Z")


def label_problem(label: str) -> str | None:
    """Why `label` is not a host-name label (lower-case letters, digits, inner '-'), or None."""
    if not label:
        return "is empty"
    if len(label) > MAX_LABEL:
        return f"is longer than {MAX_LABEL} characters"
    if not _LABEL.match(label):
        return "is not a DNS label (lower-case a-z, 0-9 and '-', not starting or ending with '-')"
    return None


def dns_name_problem(name: str) -> str | None:
    """Why `name` is not a domain name a host can own (`klustered.live`), or None.

    The reason is a clause of its own: "the label 'A' is not a DNS label (...)".
    """
    if name.endswith("."):
        name = name[:-1]
    if not name:
        return "it is empty"
    if len(name) > MAX_NAME:
        return f"it is longer than {MAX_NAME} characters"
    labels = name.split(".")
    if len(labels) < 2:
        return "it needs at least two labels (a domain such as klustered.live)"
    for label in labels:
        if not label:
            return "it has an empty label"
        problem = label_problem(label)
        if problem is not None:
            return f"the label {label!r} {problem}"
    if labels[-1].isdigit():
        return "it ends in an all-numeric label"
    return None


def normalize_domain(domain: str) -> str:
    """The domain without its trailing dot."""
    return domain[:-1] if domain.endswith(".") else domain


def fqdn(name: str) -> str:
    """`name` with the trailing dot Cloud DNS wants."""
    return name if name.endswith(".") else f"{name}."


def episode_domain(stack: str, domain: str) -> str:
    """The episode's zone: `<stack>.<domain>`."""
    return f"{stack}.{normalize_domain(domain)}"


def api_name(team: str, stack: str, domain: str) -> str:
    """The name of a team's Kubernetes API: `api.<team>.<stack>.<domain>`."""
    return f"api.{team}.{episode_domain(stack, domain)}"


def app_name(team: str, stack: str, domain: str) -> str:
    """The name of a team's Klustered app: `<team>.<stack>.<domain>`."""
    return f"{team}.{episode_domain(stack, domain)}"


def teleport_name(stack: str, domain: str) -> str:
    """The Teleport proxy's name: `teleport.<stack>.<domain>`."""
    return f"teleport.{episode_domain(stack, domain)}"


def teleport_wildcard(stack: str, domain: str) -> str:
    """The name Teleport's application access uses: `*.teleport.<stack>.<domain>`."""
    return f"*.{teleport_name(stack, domain)}"


def managed_zone_name(stack: str, domain: str) -> str:
    """The Cloud DNS managed zone name of the episode zone (`episode-42-klustered-live`).

    Dots become dashes; a name that would not start with a letter gets a `k-` prefix, and
    one longer than 63 characters keeps a stable hash of the whole name at its end.
    """
    base = f"{stack}-{normalize_domain(domain).replace('.', '-')}"
    if not base[0].isalpha():
        base = f"k-{base}"
    if len(base) > MANAGED_ZONE_NAME_MAX:
        digest = hashlib.sha256(base.encode()).hexdigest()[:8]
        base = f"{base[: MANAGED_ZONE_NAME_MAX - 9].rstrip('-')}-{digest}"
    return base
