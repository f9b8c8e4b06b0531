"""Who may log in where: Teleport's node RBAC evaluated over rendered resources (tests only).

Follows lib/services/role.go MatchLabels: an empty selector matches nothing, `'*': '*'`
matches every node, otherwise every selector key must be a node label whose value matches
one of the selector's values. Deny rules win over allow rules. Glob and regex selector
values are refused here (the renderers never emit them), so a literal compare is exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

WILDCARD = "*"


def _values(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def labels_match(selector: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """Whether a role's node_labels selector matches a node's labels."""
    if not selector:
        return False
    if _values(selector.get(WILDCARD, [])) == [WILDCARD]:
        return True
    for key, wanted in selector.items():
        if key not in labels:
            return False
        values = _values(wanted)
        if WILDCARD in values:
            continue
        for value in values:
            if any(c in value for c in "*?[^$"):
                raise ValueError(f"selector value {value!r} is a pattern: not evaluated here")
        if labels[key] not in values:
            return False
    return True


def roles_of(member_of: Iterable[str], connector: Mapping[str, Any], org: str) -> set[str]:
    """The roles the GitHub connector gives someone in these GitHub teams of `org`."""
    teams = set(member_of)
    return {
        role
        for mapping in connector["spec"]["teams_to_roles"]
        if mapping["organization"] == org and mapping["team"] in teams
        for role in mapping["roles"]
    }


def reachable(
    roles: Iterable[str],
    role_docs: Mapping[str, Mapping[str, Any]],
    nodes: Mapping[str, Mapping[str, str]],
    login: str,
) -> set[str]:
    """Nodes where a user holding `roles` may log in as `login`."""
    held = [role_docs[r]["spec"] for r in roles]
    out = set()
    for node, labels in nodes.items():
        allowed = any(
            login in spec.get("allow", {}).get("logins", [])
            and labels_match(spec.get("allow", {}).get("node_labels", {}), labels)
            for spec in held
        )
        denied = any(
            login in (spec.get("deny") or {}).get("logins", [])
            or labels_match((spec.get("deny") or {}).get("node_labels", {}), labels)
            for spec in held
        )
        if allowed and not denied:
            out.add(node)
    return out
