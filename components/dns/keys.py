"""A signed zone's key-signing keys as Cloud DNS reports them, and what the parent publishes.

Only active key-signing keys are published: as DS record sets in a parent Cloud DNS zone
(every active KSK), or as the DNSKEY a registrar turns into the apex's DS.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

ALGORITHM_NUMBERS = {
    "rsasha1": 5,
    "rsasha256": 8,
    "rsasha512": 10,
    "ecdsap256sha256": 13,
    "ecdsap384sha384": 14,
}
"""Cloud DNS algorithm mnemonics and their IANA DNSSEC algorithm numbers."""

KEY_ALGORITHM = "ecdsap256sha256"
"""The algorithm of every zone Klustered signs: ECDSA P-256 with SHA-256 (13)."""
KEY_LENGTH = 256


@dataclass(frozen=True)
class SigningKey:
    """One key-signing key of a zone, as `gcp.dns.get_keys` returns it."""

    key_tag: int
    algorithm: str
    """Cloud DNS mnemonic (`ecdsap256sha256`)."""
    public_key: str
    """Base64, as in the DNSKEY record."""
    ds_record: str
    """`<key tag> <algorithm> <digest type> <digest>`, the DS rdata."""
    is_active: bool


class NoActiveKeyError(ValueError):
    """A zone has no active key-signing key: DNSSEC is off, or the keys are not there yet."""


def active_ds_records(zone: str, keys: Iterable[SigningKey]) -> list[str]:
    """The DS rdata of every active key-signing key, sorted; NoActiveKeyError when none.

    Publishing an empty or inactive set would make the delegation bogus or insecure.
    """
    records = sorted({key.ds_record for key in keys if key.is_active and key.ds_record})
    if not records:
        raise NoActiveKeyError(
            f"zone {zone} has no active key-signing key: DNSSEC is not on yet, so no DS is "
            "published (run the update again once the zone is signed)"
        )
    return records


def registrar_key(zone: str, keys: Iterable[SigningKey]) -> tuple[int, str]:
    """(IANA algorithm number, base64 public key) of the one active key-signing key.

    A registrar takes one DNSSecKey per key; more than one active KSK means a rollover is
    under way, which is done by hand (docs/dns.md).
    """
    active = [key for key in keys if key.is_active]
    if not active:
        raise NoActiveKeyError(f"zone {zone} has no active key-signing key to publish")
    if len(active) > 1:
        tags = ", ".join(str(key.key_tag) for key in active)
        raise ValueError(
            f"zone {zone} has {len(active)} active key-signing keys ({tags}): a KSK rollover "
            "is under way; publish its DS at the registrar by hand (docs/dns.md)"
        )
    key = active[0]
    if key.algorithm not in ALGORITHM_NUMBERS:
        raise ValueError(f"zone {zone}: unknown DNSSEC algorithm {key.algorithm!r}")
    return ALGORITHM_NUMBERS[key.algorithm], key.public_key
