"""Trust anchors: DS or DNSKEY records of one zone, in zone-file format.

The default is the root zone's anchor as IANA publishes it (root-anchors.zone, shipped
with the package).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import dns.exception
import dns.name
import dns.rdatatype
import dns.rrset
import dns.zonefile

ROOT_ANCHORS = Path(__file__).with_name("root-anchors.zone")
"""The IANA root trust anchor (DS records of the root's key-signing keys)."""


class AnchorError(ValueError):
    """A trust anchor file that cannot be used."""


@dataclass(frozen=True)
class TrustAnchor:
    """The records a chain starts from: DS or DNSKEY records of one zone."""

    zone: dns.name.Name
    ds: dns.rrset.RRset | None
    dnskey: dns.rrset.RRset | None
    source: str
    """Where it was read from (for messages)."""


def parse_trust_anchor(text: str, source: str) -> TrustAnchor:
    """The trust anchor in `text` (zone-file lines, absolute owner names, TTL optional)."""
    try:
        rrsets = dns.zonefile.read_rrsets(text, rdclass=None, default_ttl=0, relativize=False)
    except dns.exception.DNSException as exc:
        raise AnchorError(
            f"{source}: not DS or DNSKEY records in zone-file format ({exc})"
        ) from None
    if not rrsets:
        raise AnchorError(f"{source}: no DS or DNSKEY records")
    owners = {rrset.name for rrset in rrsets}
    if len(owners) != 1:
        names = ", ".join(sorted(str(o) for o in owners))
        raise AnchorError(f"{source}: records of more than one zone ({names}); give one zone's")
    ds = dnskey = None
    for rrset in rrsets:
        if rrset.rdtype == dns.rdatatype.DS:
            ds = rrset
        elif rrset.rdtype == dns.rdatatype.DNSKEY:
            dnskey = rrset
        else:
            kind = dns.rdatatype.to_text(rrset.rdtype)
            raise AnchorError(f"{source}: {rrset.name} {kind} is not a DS or DNSKEY record")
    return TrustAnchor(zone=owners.pop(), ds=ds, dnskey=dnskey, source=source)


def read_trust_anchor(path: Path | None = None) -> TrustAnchor:
    """The trust anchor in `path`, or the IANA root anchor when `path` is None."""
    path = path or ROOT_ANCHORS
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise AnchorError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AnchorError(f"{path}: cannot be read ({exc})") from None
    return parse_trust_anchor(text, path.name if path == ROOT_ANCHORS else str(path))
