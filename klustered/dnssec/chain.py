"""Walk a name's DNSSEC chain of trust from a trust anchor down to its address records.

From the anchor's zone, one label at a time toward the name: a DS answer signed by the
current zone is a secure delegation, and the child's DNSKEY set must be signed by a key
a DS matches; a signed NSEC/NSEC3 denial says the label is inside the current zone, or a
delegation without DS (an unsigned zone). At the name, its A and AAAA answers must be
signed by the last zone's keys, and a missing type proven absent. Every signature is
checked against the current time (RFC 4034, 4035, 5155).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

import dns.dnssec
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdataset
import dns.rdatatype
import dns.rrset
from dns.exception import DeniedByPolicy, UnsupportedAlgorithm, ValidationFailure
from dns.rdtypes.ANY.DNSKEY import DNSKEY
from dns.rdtypes.ANY.DS import DS
from dns.rdtypes.ANY.RRSIG import RRSIG
from dns.rdtypes.dnskeybase import Flag

from klustered.dnssec.anchor import TrustAnchor
from klustered.dnssec.denial import (
    DenialError,
    Finding,
    Nsec3Proofs,
    NsecProofs,
    Proof,
)
from klustered.dnssec.transport import QueryError

Query = Callable[[dns.name.Name, dns.rdatatype.RdataType], dns.message.Message]
"""Sends one query (DO and CD set) and returns the response."""

_DS_DIGESTS = {1: "SHA1", 2: "SHA256", 4: "SHA384"}


class Reason(StrEnum):
    """Why a chain is not valid."""

    NO_DS_MATCH = "no DS match"
    MISSING_SIGNATURE = "missing signature"
    EXPIRED_SIGNATURE = "expired signature"
    NOT_YET_VALID = "signature not yet valid"
    BAD_SIGNATURE = "bad signature"
    UNSIGNED_ZONE = "unsigned zone"
    MISSING_RECORD = "missing record"
    MISSING_PROOF = "missing denial proof"
    QUERY_FAILED = "query failed"


@dataclass(frozen=True)
class ChainError(Exception):
    """The chain breaks at `zone` for `reason`."""

    zone: dns.name.Name
    reason: Reason
    detail: str

    def __str__(self) -> str:
        return f"zone {self.zone}: {self.reason}: {self.detail}"


@dataclass(frozen=True)
class ZoneLink:
    """One zone of the chain: what vouched for its keys, and the signature over them."""

    zone: dns.name.Name
    vouched_by: str
    """`trust anchor <file>` or `DS in <parent>`."""
    ds: tuple[DS, ...]
    keys: tuple[DNSKEY, ...]
    trusted: tuple[int, ...]
    """Key tags of the keys a DS (or the anchor) matches."""
    signature: RRSIG
    """The RRSIG over the DNSKEY set by a trusted key."""


@dataclass(frozen=True)
class Address:
    """NAME's A or AAAA: the signed records, or the proof there are none."""

    rdtype: dns.rdatatype.RdataType
    rrset: dns.rrset.RRset | None
    signature: RRSIG | None
    proof: Proof | None


@dataclass
class Chain:
    """What the walk found, zone by zone; `error` is set when the chain is not valid."""

    name: dns.name.Name
    anchor: TrustAnchor
    links: list[ZoneLink] = field(default_factory=list)
    passages: list[tuple[dns.name.Name, dns.name.Name, Proof]] = field(default_factory=list)
    """(name, zone, proof) for every label below a zone that is not a zone cut."""
    addresses: list[Address] = field(default_factory=list)
    error: ChainError | None = None

    @property
    def secure(self) -> bool:
        """True when the chain from the anchor to NAME's address records is valid."""
        return self.error is None


def verify_chain(
    name: dns.name.Name, anchor: TrustAnchor, query: Query, now: float | None = None
) -> Chain:
    """Validate `name`'s chain from `anchor`; the Chain tells what held and where it broke."""
    chain = Chain(name=name, anchor=anchor)
    try:
        _Walk(query, time.time() if now is None else now, chain).run()
    except ChainError as exc:
        chain.error = exc
    return chain


def when(timestamp: int) -> str:
    """An RRSIG time as `2026-12-30 06:51 UTC`."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


def ds_text(ds: DS) -> str:
    """A DS as `<key tag>/<algorithm>/<digest type>`."""
    return f"{ds.key_tag}/{int(ds.algorithm)}/{int(ds.digest_type)}"


class _Walk:
    def __init__(self, query: Query, now: float, chain: Chain) -> None:
        self.query, self.now, self.chain = query, now, chain

    def run(self) -> None:
        chain, anchor = self.chain, self.chain.anchor
        if not chain.name.is_subdomain(anchor.zone):
            raise ChainError(
                anchor.zone,
                Reason.MISSING_RECORD,
                f"{chain.name} is not under the trust anchor's zone {anchor.zone}",
            )
        zone = anchor.zone
        keys = self._zone_keys(
            zone,
            ds=list(anchor.ds or []),
            anchor_keys=list(anchor.dnskey or []),
            vouched_by=f"trust anchor {anchor.source}",
        )
        for depth in range(len(zone) + 1, len(chain.name) + 1):
            candidate = chain.name.split(depth)[1]
            ds = self._delegation(candidate, zone, keys)
            if ds is not None:
                keys = self._zone_keys(candidate, ds=ds, anchor_keys=[], vouched_by=f"DS in {zone}")
                zone = candidate
        self._addresses(chain.name, zone, keys)

    # -- the parts of a response --------------------------------------------------------

    def _ask(
        self, zone: dns.name.Name, qname: dns.name.Name, rdtype: dns.rdatatype.RdataType
    ) -> dns.message.Message:
        try:
            response = self.query(qname, rdtype)
        except QueryError as exc:
            raise ChainError(zone, Reason.QUERY_FAILED, str(exc)) from None
        rcode = response.rcode()
        if rcode not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
            what = f"{qname} {dns.rdatatype.to_text(rdtype)}"
            raise ChainError(
                zone, Reason.QUERY_FAILED, f"{what}: the server answered {dns.rcode.to_text(rcode)}"
            )
        return response

    @staticmethod
    def _answer(
        response: dns.message.Message, qname: dns.name.Name, rdtype: dns.rdatatype.RdataType
    ) -> tuple[dns.rrset.RRset | None, list[RRSIG]]:
        rrset = response.get_rrset(response.answer, qname, dns.rdataclass.IN, rdtype)
        sigs = response.get_rrset(
            response.answer, qname, dns.rdataclass.IN, dns.rdatatype.RRSIG, rdtype
        )
        return rrset, [s for s in sigs or [] if isinstance(s, RRSIG)]

    def _check_signed(
        self,
        zone: dns.name.Name,
        rrset: dns.rrset.RRset,
        sigs: Sequence[RRSIG],
        keys: Sequence[DNSKEY],
        whose: str = "",
    ) -> RRSIG:
        """The RRSIG by one of `keys` that validates `rrset` now, or the reason there is none."""
        what = f"{rrset.name} {dns.rdatatype.to_text(rrset.rdtype)}"
        by_zone = [s for s in sigs if s.signer == zone]
        if not by_zone:
            raise ChainError(zone, Reason.MISSING_SIGNATURE, f"no RRSIG by {zone} over {what}")
        tags = {(dns.dnssec.key_id(k), int(k.algorithm)) for k in keys}
        usable = [s for s in by_zone if (s.key_tag, int(s.algorithm)) in tags]
        if not usable:
            signed = ", ".join(str(s.key_tag) for s in by_zone)
            raise ChainError(
                zone,
                Reason.MISSING_SIGNATURE,
                f"no RRSIG over {what} by {whose or 'a key of the DNSKEY set'} "
                f"(signed by key {signed} only)",
            )
        keyset = dns.rdataset.from_rdata_list(0, list(keys))
        expired = [s for s in usable if s.expiration < self.now]
        early = [s for s in usable if s.inception > self.now]
        for sig in usable:
            if sig in expired or sig in early:
                continue
            try:
                dns.dnssec.validate_rrsig(rrset, sig, {zone: keyset}, now=self.now)
                return sig
            except (ValidationFailure, UnsupportedAlgorithm):
                continue
        if expired:
            sig = expired[0]
            raise ChainError(
                zone,
                Reason.EXPIRED_SIGNATURE,
                f"the RRSIG over {what} by key {sig.key_tag} expired at {when(sig.expiration)}",
            )
        if early:
            sig = early[0]
            raise ChainError(
                zone,
                Reason.NOT_YET_VALID,
                f"the RRSIG over {what} by key {sig.key_tag} is valid from {when(sig.inception)}",
            )
        raise ChainError(
            zone,
            Reason.BAD_SIGNATURE,
            f"the RRSIG over {what} by key {usable[0].key_tag} does not verify",
        )

    def _denial(
        self, zone: dns.name.Name, response: dns.message.Message, keys: Sequence[DNSKEY]
    ) -> NsecProofs | Nsec3Proofs | None:
        """The zone's validated NSEC or NSEC3 records in the authority section."""
        nsec3: list[dns.rrset.RRset] = []
        nsec: list[dns.rrset.RRset] = []
        for rrset in response.authority:
            if rrset.rdtype not in (dns.rdatatype.NSEC3, dns.rdatatype.NSEC):
                continue
            if not rrset.name.is_subdomain(zone):
                continue
            sigs = response.get_rrset(
                response.authority, rrset.name, dns.rdataclass.IN, dns.rdatatype.RRSIG, rrset.rdtype
            )
            self._check_signed(zone, rrset, [s for s in sigs or [] if isinstance(s, RRSIG)], keys)
            (nsec3 if rrset.rdtype == dns.rdatatype.NSEC3 else nsec).append(rrset)
        if nsec3:
            return Nsec3Proofs(zone, nsec3)
        if nsec:
            return NsecProofs(zone, nsec)
        return None

    def _answering_zone(
        self, zone: dns.name.Name, response: dns.message.Message, what: str
    ) -> None:
        """A negative answer comes from `zone` itself (its SOA), not a referral or another zone."""
        soa = next((r for r in response.authority if r.rdtype == dns.rdatatype.SOA), None)
        if soa is not None and soa.name == zone:
            return
        if soa is None:
            cut = next((r.name for r in response.authority if r.rdtype == dns.rdatatype.NS), None)
            if cut is not None:
                raise ChainError(
                    zone,
                    Reason.QUERY_FAILED,
                    f"{what}: got a referral to {cut}; the server does not serve that zone",
                )
            raise ChainError(zone, Reason.MISSING_PROOF, f"{what}: empty answer without an SOA")
        raise ChainError(
            zone, Reason.QUERY_FAILED, f"{what}: answered by zone {soa.name}, not by {zone}"
        )

    # -- the steps of the walk ----------------------------------------------------------

    def _zone_keys(
        self,
        zone: dns.name.Name,
        *,
        ds: Sequence[DS],
        anchor_keys: Sequence[DNSKEY],
        vouched_by: str,
    ) -> list[DNSKEY]:
        """The zone's DNSKEY set, once a key the DS (or anchor) vouches for has signed it."""
        response = self._ask(zone, zone, dns.rdatatype.DNSKEY)
        dnskeys, sigs = self._answer(response, zone, dns.rdatatype.DNSKEY)
        if dnskeys is None:
            raise ChainError(
                zone,
                Reason.UNSIGNED_ZONE,
                f"no DNSKEY records at {zone}, yet {vouched_by} says it is signed",
            )
        keys = [k for k in dnskeys if isinstance(k, DNSKEY)]
        if anchor_keys:
            trusted = [k for k in keys if k in anchor_keys]
            if not trusted:
                raise ChainError(
                    zone,
                    Reason.NO_DS_MATCH,
                    f"none of the anchor's DNSKEYs is in the zone's DNSKEY set "
                    f"({', '.join(str(dns.dnssec.key_id(k)) for k in keys)})",
                )
        else:
            trusted = [k for k in keys if any(self._ds_matches(zone, k, d) for d in ds)]
            if not trusted:
                listed = ", ".join(ds_text(d) for d in ds)
                tags = ", ".join(str(dns.dnssec.key_id(k)) for k in keys)
                raise ChainError(
                    zone,
                    Reason.NO_DS_MATCH,
                    f"DS {listed} ({vouched_by}) matches none of the zone's DNSKEYs (key tags "
                    f"{tags})",
                )
        trusted_tags = sorted({dns.dnssec.key_id(k) for k in trusted})
        signature = self._check_signed(
            zone,
            dnskeys,
            sigs,
            trusted,
            whose=f"key {', '.join(map(str, trusted_tags))} (DS-matched)",
        )
        self.chain.links.append(
            ZoneLink(
                zone=zone,
                vouched_by=vouched_by,
                ds=tuple(ds),
                keys=tuple(keys),
                trusted=tuple(trusted_tags),
                signature=signature,
            )
        )
        return keys

    @staticmethod
    def _ds_matches(zone: dns.name.Name, key: DNSKEY, ds: DS) -> bool:
        if ds.key_tag != dns.dnssec.key_id(key) or ds.algorithm != key.algorithm:
            return False
        if not key.flags & Flag.ZONE or key.protocol != 3:
            return False
        digest = _DS_DIGESTS.get(int(ds.digest_type))
        if digest is None:
            return False
        try:
            made = dns.dnssec.make_ds(zone, key, digest, validating=True)
        except (UnsupportedAlgorithm, DeniedByPolicy):
            return False
        return made.digest == ds.digest

    def _delegation(
        self, candidate: dns.name.Name, zone: dns.name.Name, keys: Sequence[DNSKEY]
    ) -> list[DS] | None:
        """The signed DS set of `candidate` when `zone` delegates it securely; None when
        `candidate` is inside `zone`; a ChainError for anything else."""
        what = f"{candidate} DS"
        response = self._ask(zone, candidate, dns.rdatatype.DS)
        if response.rcode() == dns.rcode.NXDOMAIN:
            self._answering_zone(zone, response, what)
            raise ChainError(
                zone, Reason.MISSING_RECORD, self._name_error(candidate, zone, response, keys)
            )
        ds_rrset, sigs = self._answer(response, candidate, dns.rdatatype.DS)
        if ds_rrset is not None:
            self._check_signed(zone, ds_rrset, sigs, keys)
            return [d for d in ds_rrset if isinstance(d, DS)]
        self._answering_zone(zone, response, what)
        proof = self._prove(
            zone, response, keys, what, lambda p: p.nodata(candidate, dns.rdatatype.DS)
        )
        if proof.finding in (Finding.INSECURE_DELEGATION, Finding.OPT_OUT):
            raise ChainError(
                candidate,
                Reason.UNSIGNED_ZONE,
                f"{zone} delegates {candidate} without DS ({proof.by} proves there is none): "
                "the zone is not signed, or its DS is not published",
            )
        self.chain.passages.append((candidate, zone, proof))
        return None

    def _prove(
        self,
        zone: dns.name.Name,
        response: dns.message.Message,
        keys: Sequence[DNSKEY],
        what: str,
        check: Callable[[NsecProofs | Nsec3Proofs], Proof],
    ) -> Proof:
        proofs = self._denial(zone, response, keys)
        if proofs is None:
            raise ChainError(
                zone, Reason.MISSING_PROOF, f"{what}: no signed NSEC or NSEC3 records in the answer"
            )
        try:
            return check(proofs)
        except DenialError as exc:
            raise ChainError(zone, Reason.MISSING_PROOF, f"{what}: {exc}") from None

    def _name_error(
        self,
        qname: dns.name.Name,
        zone: dns.name.Name,
        response: dns.message.Message,
        keys: Sequence[DNSKEY],
    ) -> str:
        proofs = self._denial(zone, response, keys)
        if proofs is None:
            return f"{qname} does not exist (NXDOMAIN, without a signed proof)"
        try:
            proof = proofs.name_error(qname)
        except DenialError as exc:
            return f"{qname} does not exist (NXDOMAIN; the proof does not hold: {exc})"
        return f"{qname} does not exist ({proof.by} proves it)"

    def _addresses(self, name: dns.name.Name, zone: dns.name.Name, keys: Sequence[DNSKEY]) -> None:
        for rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
            self.chain.addresses.append(self._address(name, rdtype, zone, keys))
        if all(a.rrset is None for a in self.chain.addresses):
            proofs = "; ".join(dict.fromkeys(a.proof.by for a in self.chain.addresses if a.proof))
            raise ChainError(
                zone, Reason.MISSING_RECORD, f"{name} has no A or AAAA record ({proofs} proves it)"
            )

    def _address(
        self,
        name: dns.name.Name,
        rdtype: dns.rdatatype.RdataType,
        zone: dns.name.Name,
        keys: Sequence[DNSKEY],
    ) -> Address:
        what = f"{name} {dns.rdatatype.to_text(rdtype)}"
        response = self._ask(zone, name, rdtype)
        if response.rcode() == dns.rcode.NXDOMAIN:
            self._answering_zone(zone, response, what)
            raise ChainError(
                zone, Reason.MISSING_RECORD, self._name_error(name, zone, response, keys)
            )
        rrset, sigs = self._answer(response, name, rdtype)
        if rrset is None:
            cname, _ = self._answer(response, name, dns.rdatatype.CNAME)
            if cname is not None:
                target = next(iter(cname)).to_text()
                raise ChainError(
                    zone,
                    Reason.MISSING_RECORD,
                    f"{name} is an alias (CNAME to {target}), not an address: verify {target}",
                )
            self._answering_zone(zone, response, what)

            def absent(proofs: NsecProofs | Nsec3Proofs) -> Proof:
                return proofs.nodata(name, rdtype)

            return Address(rdtype, None, None, self._prove(zone, response, keys, what, absent))
        sig = self._check_signed(zone, rrset, sigs, keys)
        if sig.labels >= len(name) - 1:
            return Address(rdtype, rrset, sig, None)

        def expanded(proofs: NsecProofs | Nsec3Proofs) -> Proof:
            return proofs.wildcard_answer(name, sig.labels)

        proof = self._prove(zone, response, keys, f"{what} (from a wildcard)", expanded)
        return Address(rdtype, rrset, sig, proof)
