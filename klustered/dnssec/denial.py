"""What signed NSEC and NSEC3 records prove about names that are not there.

RFC 4035 5.4 (NSEC) and RFC 5155 8 (NSEC3): a name that does not exist (NXDOMAIN), a
name that exists without the asked type (NODATA), a delegation without DS (an unsigned
child), and the proof that a wildcard answer was needed. The records handed in here
must already be validated; these functions only reason about what they say.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import dns.dnssec
import dns.name
import dns.rdatatype
import dns.rrset
from dns.rdtypes.ANY.NSEC import NSEC
from dns.rdtypes.ANY.NSEC3 import NSEC3

NSEC3_OPT_OUT = 0x01
"""The opt-out flag of an NSEC3 record (RFC 5155 3.1.2.1)."""


class DenialError(Exception):
    """The records do not prove what the answer claims."""


class Finding(StrEnum):
    """What a negative answer proves about the asked name."""

    NO_TYPE = "exists without the type"
    INSECURE_DELEGATION = "is delegated without DS"
    OPT_OUT = "may be an unsigned delegation (NSEC3 opt-out)"
    WILDCARD_NO_TYPE = "matches a wildcard without the type"
    EMPTY_NON_TERMINAL = "is an empty non-terminal"
    NAME_ERROR = "does not exist"


@dataclass(frozen=True)
class Proof:
    """A finding and the record that proves it (`NSEC3 <hash>.<zone>`)."""

    finding: Finding
    by: str


def _types(rdata: NSEC | NSEC3) -> set[dns.rdatatype.RdataType]:
    types: set[dns.rdatatype.RdataType] = set()
    for window, bitmap in rdata.windows:
        for i, byte in enumerate(bitmap):
            for bit in range(8):
                if byte & (0x80 >> bit):
                    types.add(dns.rdatatype.RdataType.make(window * 256 + i * 8 + bit))
    return types


def _nodata_at(
    match: object,
    types: set[dns.rdatatype.RdataType],
    qname: dns.name.Name,
    rdtype: dns.rdatatype.RdataType,
) -> Proof:
    """The NODATA proof from the NSEC or NSEC3 record that matches `qname` (its `types`)."""
    if rdtype in types or dns.rdatatype.CNAME in types:
        raise DenialError(f"{match} lists {dns.rdatatype.to_text(rdtype)} for {qname}")
    if rdtype == dns.rdatatype.DS and dns.rdatatype.NS in types and dns.rdatatype.SOA not in types:
        return Proof(Finding.INSECURE_DELEGATION, str(match))  # a delegation without a DS
    return Proof(Finding.NO_TYPE, str(match))


@dataclass(frozen=True)
class _Nsec3:
    owner: dns.name.Name
    owner_hash: str
    rdata: NSEC3

    @property
    def next_hash(self) -> str:
        return base64.b32hexencode(self.rdata.next).decode().lower()

    @property
    def opt_out(self) -> bool:
        return bool(self.rdata.flags & NSEC3_OPT_OUT)

    def hash(self, name: dns.name.Name) -> str:
        return dns.dnssec.nsec3_hash(
            name, self.rdata.salt, self.rdata.iterations, self.rdata.algorithm
        ).lower()

    def matches(self, name: dns.name.Name) -> bool:
        return self.hash(name) == self.owner_hash

    def covers(self, name: dns.name.Name) -> bool:
        value, low, high = self.hash(name), self.owner_hash, self.next_hash
        if low < high:
            return low < value < high
        return value > low or value < high  # the last record wraps to the first

    def __str__(self) -> str:
        return f"NSEC3 {self.owner}"


class Nsec3Proofs:
    """Reasoning over the validated NSEC3 records of one zone (RFC 5155 8)."""

    def __init__(self, zone: dns.name.Name, rrsets: Sequence[dns.rrset.RRset]) -> None:
        self.zone = zone
        self.records = [
            _Nsec3(rrset.name, rrset.name.labels[0].decode("ascii").lower(), rdata)
            for rrset in rrsets
            for rdata in rrset
            if isinstance(rdata, NSEC3)
        ]

    def _matching(self, name: dns.name.Name) -> _Nsec3 | None:
        return next((r for r in self.records if r.matches(name)), None)

    def _covering(self, name: dns.name.Name) -> _Nsec3 | None:
        return next((r for r in self.records if r.covers(name)), None)

    def closest_encloser(self, qname: dns.name.Name) -> tuple[dns.name.Name, dns.name.Name, _Nsec3]:
        """(closest encloser, next closer name, the NSEC3 covering it) for a missing qname."""
        if self._matching(qname) is not None:
            raise DenialError(f"an NSEC3 record matches {qname}: it exists")
        next_closer = qname
        candidate = qname.parent()
        while True:
            match = self._matching(candidate)
            if match is not None:
                types = _types(match.rdata)
                if candidate != self.zone and (
                    dns.rdatatype.DNAME in types
                    or (dns.rdatatype.NS in types and dns.rdatatype.SOA not in types)
                ):
                    raise DenialError(f"{candidate} is a delegation or DNAME: {qname} is not here")
                cover = self._covering(next_closer)
                if cover is None:
                    raise DenialError(f"no NSEC3 record covers the next closer name {next_closer}")
                return candidate, next_closer, cover
            if candidate in (self.zone, dns.name.root):
                raise DenialError(f"no NSEC3 record matches an ancestor of {qname} in {self.zone}")
            next_closer, candidate = candidate, candidate.parent()

    def nodata(self, qname: dns.name.Name, rdtype: dns.rdatatype.RdataType) -> Proof:
        """The proof that `qname` has no `rdtype` records (RFC 5155 8.5-8.7)."""
        match = self._matching(qname)
        if match is not None:
            return _nodata_at(match, _types(match.rdata), qname, rdtype)
        encloser, _, cover = self.closest_encloser(qname)
        if rdtype == dns.rdatatype.DS and cover.opt_out:
            return Proof(Finding.OPT_OUT, str(cover))
        wildcard = dns.name.from_text("*", encloser)
        wild = self._matching(wildcard)
        if wild is None:
            raise DenialError(f"no NSEC3 record matches {qname} or the wildcard {wildcard}")
        types = _types(wild.rdata)
        if rdtype in types or dns.rdatatype.CNAME in types:
            raise DenialError(f"{wild} lists {dns.rdatatype.to_text(rdtype)} for {wildcard}")
        return Proof(Finding.WILDCARD_NO_TYPE, f"{cover} and {wild}")

    def name_error(self, qname: dns.name.Name) -> Proof:
        """The proof that `qname` does not exist (RFC 5155 8.4)."""
        encloser, _, cover = self.closest_encloser(qname)
        wildcard = dns.name.from_text("*", encloser)
        if self._matching(wildcard) is not None:
            raise DenialError(f"the wildcard {wildcard} exists: {qname} should have an answer")
        if self._covering(wildcard) is None:
            raise DenialError(f"no NSEC3 record covers the wildcard {wildcard}")
        return Proof(Finding.NAME_ERROR, str(cover))

    def wildcard_answer(self, qname: dns.name.Name, labels: int) -> Proof:
        """The proof that `qname` itself does not exist, for an answer synthesised from a
        wildcard whose RRSIG has `labels` labels (RFC 5155 8.8)."""
        next_closer = qname.split(labels + 2)[1]
        cover = self._covering(next_closer)
        if cover is None:
            raise DenialError(f"no NSEC3 record covers {next_closer} for the wildcard answer")
        return Proof(Finding.NAME_ERROR, str(cover))


@dataclass(frozen=True)
class _Nsec:
    owner: dns.name.Name
    rdata: NSEC

    def covers(self, name: dns.name.Name) -> bool:
        nxt: dns.name.Name = self.rdata.next
        if self.owner < nxt:
            return bool(self.owner < name < nxt)
        return bool(name > self.owner)  # the last record points back to the apex

    def __str__(self) -> str:
        return f"NSEC {self.owner}"


class NsecProofs:
    """Reasoning over the validated NSEC records of one zone (RFC 4035 5.4)."""

    def __init__(self, zone: dns.name.Name, rrsets: Sequence[dns.rrset.RRset]) -> None:
        self.zone = zone
        self.records = [
            _Nsec(rrset.name, rdata)
            for rrset in rrsets
            for rdata in rrset
            if isinstance(rdata, NSEC)
        ]

    def _matching(self, name: dns.name.Name) -> _Nsec | None:
        return next((r for r in self.records if r.owner == name), None)

    def _covering(self, name: dns.name.Name) -> _Nsec | None:
        return next((r for r in self.records if r.covers(name)), None)

    def _encloser(self, qname: dns.name.Name, cover: _Nsec) -> dns.name.Name:
        common = max(qname.fullcompare(cover.owner)[2], qname.fullcompare(cover.rdata.next)[2])
        return qname.split(common)[1]

    def nodata(self, qname: dns.name.Name, rdtype: dns.rdatatype.RdataType) -> Proof:
        """The proof that `qname` has no `rdtype` records."""
        match = self._matching(qname)
        if match is not None:
            return _nodata_at(match, _types(match.rdata), qname, rdtype)
        cover = self._covering(qname)
        if cover is None:
            raise DenialError(f"no NSEC record matches or covers {qname}")
        if cover.rdata.next.is_subdomain(qname):
            return Proof(Finding.EMPTY_NON_TERMINAL, str(cover))
        wildcard = dns.name.from_text("*", self._encloser(qname, cover))
        wild = self._matching(wildcard)
        if wild is None:
            raise DenialError(f"no NSEC record proves {qname} or the wildcard {wildcard}")
        types = _types(wild.rdata)
        if rdtype in types or dns.rdatatype.CNAME in types:
            raise DenialError(f"{wild} lists {dns.rdatatype.to_text(rdtype)} for {wildcard}")
        return Proof(Finding.WILDCARD_NO_TYPE, f"{cover} and {wild}")

    def name_error(self, qname: dns.name.Name) -> Proof:
        """The proof that `qname` does not exist."""
        if self._matching(qname) is not None:
            raise DenialError(f"an NSEC record matches {qname}: it exists")
        cover = self._covering(qname)
        if cover is None:
            raise DenialError(f"no NSEC record covers {qname}")
        if cover.rdata.next.is_subdomain(qname):
            raise DenialError(f"{qname} is an empty non-terminal, not a missing name")
        wildcard = dns.name.from_text("*", self._encloser(qname, cover))
        if self._matching(wildcard) is not None:
            raise DenialError(f"the wildcard {wildcard} exists: {qname} should have an answer")
        if self._covering(wildcard) is None:
            raise DenialError(f"no NSEC record covers the wildcard {wildcard}")
        return Proof(Finding.NAME_ERROR, str(cover))

    def wildcard_answer(self, qname: dns.name.Name, labels: int) -> Proof:
        """The proof that `qname` itself does not exist, for a wildcard answer."""
        del labels  # an NSEC covering qname is the whole proof
        cover = self._covering(qname)
        if cover is None:
            raise DenialError(f"no NSEC record covers {qname} for the wildcard answer")
        return Proof(Finding.NAME_ERROR, str(cover))
