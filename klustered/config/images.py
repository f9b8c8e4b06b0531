"""Container image references, parsed with the grammar of distribution/reference."""

from __future__ import annotations

import re
from dataclasses import dataclass

from klustered.config.errors import show

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN_PART = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"(?:{_DOMAIN_PART}(?:\.{_DOMAIN_PART})*|\[[0-9a-fA-F:.]+\])(?::[0-9]{{1,5}})?"
_REFERENCE = re.compile(
    rf"(?:(?P<domain>{_DOMAIN})/)?(?P<path>{_COMPONENT}(?:/{_COMPONENT})*)"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?"
    r"(?:@(?P<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?\Z",
    re.ASCII,
)
NAME_MAX = 255


@dataclass(frozen=True)
class ImageReference:
    """A parsed image reference: registry (may be empty), repository path, tag, digest."""

    domain: str
    path: str
    tag: str
    digest: str


def parse_image(value: str) -> ImageReference:
    """Parse `[registry/]path[:tag][@digest]`; ValueError naming the rule it breaks."""
    match = _REFERENCE.match(value)
    if not match:
        raise ValueError(
            f"{show(value)} is not an image reference like ghcr.io/owner/name:tag "
            "(lower-case repository path, tag of letters, digits, '_', '.', '-')"
        )
    domain, path = match.group("domain") or "", match.group("path")
    if domain and not ("." in domain or ":" in domain or domain == "localhost"):
        # `owner/name`: the first component is a path component, not a registry.
        path, domain = f"{domain}/{path}", ""
        if not re.fullmatch(_COMPONENT, path.split("/")[0]):
            raise ValueError(f"{show(value)} is not an image reference (upper-case repository)")
    name = f"{domain}/{path}" if domain else path
    if len(name) > NAME_MAX:
        raise ValueError(f"{show(value)} has a repository name longer than {NAME_MAX}")
    return ImageReference(domain, path, match.group("tag") or "", match.group("digest") or "")


def tagged_image(value: str) -> str:
    """An image reference with a tag and no digest (its tag names the version it serves)."""
    ref = parse_image(value)
    if ref.digest:
        raise ValueError(
            f"{show(value)} is pinned by digest: give a tag (the version the goal check "
            "looks for and the v2 image derive from it)"
        )
    if not ref.tag:
        raise ValueError(f"{show(value)} has no tag: name the version, like :v1")
    return value
