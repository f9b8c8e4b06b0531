"""`klustered dns verify` without a server: anchors, servers, denial proofs, clean errors."""

from __future__ import annotations

import base64
import re
import socket
from pathlib import Path

import dns.dnssec
import dns.name
import dns.rdatatype
import dns.rrset
import pytest
from typer.testing import CliRunner

from klustered.cli import app
from klustered.dnssec.anchor import (
    ROOT_ANCHORS,
    AnchorError,
    parse_trust_anchor,
    read_trust_anchor,
)
from klustered.dnssec.denial import DenialError, Finding, Nsec3Proofs, NsecProofs
from klustered.dnssec.transport import parse_server

ZONE = dns.name.from_text("ep42.example.")


def test_the_default_anchor_is_the_iana_root_ksks() -> None:
    anchor = read_trust_anchor()
    assert anchor.zone == dns.name.root
    assert anchor.ds is not None and anchor.dnskey is None
    assert sorted((d.key_tag, d.algorithm, d.digest_type) for d in anchor.ds) == [
        (20326, 8, 2),
        (38696, 8, 2),
    ]
    assert ROOT_ANCHORS.read_text(encoding="ascii").isascii()


def test_a_dnskey_anchor_with_ttl_and_class_is_read() -> None:
    text = "example. 3600 IN DNSKEY 257 3 13 " + base64.b64encode(b"k" * 64).decode() + "\n"
    anchor = parse_trust_anchor(text, "keys.txt")
    assert anchor.zone == dns.name.from_text("example.")
    assert anchor.dnskey is not None and len(anchor.dnskey) == 1 and anchor.ds is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no DS or DNSKEY records"),
        (
            f"a. IN DS 1 13 2 {'00' * 32}\nb. IN DS 2 13 2 {'00' * 32}\n",
            "records of more than one zone (a., b.)",
        ),
        ("a. IN A 192.0.2.1\n", "a. A is not a DS or DNSKEY record"),
        ("this is not a zone file\n", "not DS or DNSKEY records in zone-file format"),
    ],
)
def test_a_bad_anchor_is_refused_with_the_reason(text: str, message: str) -> None:
    with pytest.raises(AnchorError, match=re.escape(message)):
        parse_trust_anchor(text, "anchor.txt")


def test_a_missing_anchor_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(AnchorError, match="no such file"):
        read_trust_anchor(tmp_path / "nope.ds")


@pytest.mark.parametrize(
    ("text", "address", "port"),
    [
        ("127.0.0.1:5353", "127.0.0.1", 5353),
        ("[::1]:53", "::1", 53),
        ("127.0.0.1", "127.0.0.1", 53),
    ],
)
def test_a_server_is_host_and_port(text: str, address: str, port: int) -> None:
    server = parse_server(text)
    assert (server.address, server.port, server.label) == (address, port, text)


@pytest.mark.parametrize("text", ["127.0.0.1:0", "127.0.0.1:dns", "127.0.0.1:70000", ":53", "[::1"])
def test_a_bad_server_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_server(text)


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["dns", "verify", *args])
    return result.exit_code, result.stdout + result.stderr


def test_the_cli_refuses_a_bad_anchor_file_without_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "anchor.ds"
    bad.write_text("a. IN A 192.0.2.1\n", encoding="ascii")
    code, output = _cli("x.a.", "--server", "127.0.0.1:53", "--trust-anchor", str(bad))
    assert code == 1
    assert output.strip() == f"error: {bad}: a. A is not a DS or DNSKEY record"


def test_a_name_outside_the_anchors_zone_is_refused(tmp_path: Path) -> None:
    anchor = tmp_path / "anchor.ds"
    anchor.write_text("example. IN DS 1 13 2 " + "00" * 32 + "\n", encoding="ascii")
    code, output = _cli("api.other.", "--server", "127.0.0.1:53", "--trust-anchor", str(anchor))
    assert code == 1
    assert (
        "error: zone example.: missing record: api.other. is not under the trust anchor" in output
    )


def _closed_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_server_that_does_not_answer_fails_the_anchor_zone() -> None:
    server = f"127.0.0.1:{_closed_udp_port()}"
    code, output = _cli("api.blue.ep42.example.", "--server", server, "--timeout", "0.2")
    assert code == 1
    assert "error: zone .: query failed: . DNSKEY" in output
    assert "Traceback" not in output


def _nsec3(owner_of: str, next_of: str, types: str, flags: int = 0) -> dns.rrset.RRset:
    owner_hash = dns.dnssec.nsec3_hash(owner_of, None, 0, 1).lower()
    next_hash = dns.dnssec.nsec3_hash(next_of, None, 0, 1).lower()
    return dns.rrset.from_text(
        f"{owner_hash}.{ZONE}", 300, "IN", "NSEC3", f"1 {flags} 0 - {next_hash} {types}"
    )


def _hash(name: str) -> str:
    return dns.dnssec.nsec3_hash(name, None, 0, 1).lower()


def _ring(names: list[str], types: dict[str, str], flags: int = 0) -> list[dns.rrset.RRset]:
    """A full NSEC3 chain over `names` (sorted by hash), each with its types."""
    ordered = sorted(names, key=_hash)
    return [
        _nsec3(name, ordered[(i + 1) % len(ordered)], types.get(name, "A RRSIG"), flags)
        for i, name in enumerate(ordered)
    ]


def test_nsec3_proves_a_delegation_without_ds_is_insecure() -> None:
    chain = _ring(
        [str(ZONE), f"child.{ZONE}", f"www.{ZONE}"],
        {str(ZONE): "SOA NS DNSKEY RRSIG NSEC3PARAM", f"child.{ZONE}": "NS"},
    )
    proofs = Nsec3Proofs(ZONE, chain)
    assert proofs.nodata(dns.name.from_text(f"child.{ZONE}"), dns.rdatatype.DS).finding == (
        Finding.INSECURE_DELEGATION
    )
    assert proofs.nodata(dns.name.from_text(f"www.{ZONE}"), dns.rdatatype.DS).finding == (
        Finding.NO_TYPE
    )


def test_nsec3_that_lists_the_type_proves_nothing() -> None:
    chain = _ring([str(ZONE), f"www.{ZONE}"], {f"www.{ZONE}": "A AAAA RRSIG"})
    with pytest.raises(DenialError, match="lists AAAA"):
        Nsec3Proofs(ZONE, chain).nodata(dns.name.from_text(f"www.{ZONE}"), dns.rdatatype.AAAA)


def test_an_opt_out_span_leaves_a_delegation_possibly_unsigned() -> None:
    chain = _ring([str(ZONE), f"www.{ZONE}"], {str(ZONE): "SOA NS DNSKEY RRSIG"}, flags=1)
    proof = Nsec3Proofs(ZONE, chain).nodata(
        dns.name.from_text(f"unsigned.{ZONE}"), dns.rdatatype.DS
    )
    assert proof.finding == Finding.OPT_OUT


def test_nsec3_proves_a_missing_name_only_with_the_wildcard_covered() -> None:
    names = [str(ZONE), f"www.{ZONE}"]
    proofs = Nsec3Proofs(ZONE, _ring(names, {}))
    missing = dns.name.from_text(f"nope.{ZONE}")
    assert proofs.name_error(missing).finding == Finding.NAME_ERROR
    with_wildcard = Nsec3Proofs(ZONE, _ring([*names, f"*.{ZONE}"], {}))
    with pytest.raises(DenialError, match="wildcard"):
        with_wildcard.name_error(missing)


def test_nsec_sees_an_empty_non_terminal() -> None:
    records = [
        dns.rrset.from_text(".", 300, "IN", "NSEC", "ns.root. SOA NS RRSIG NSEC DNSKEY"),
        dns.rrset.from_text("ns.root.", 300, "IN", "NSEC", "klustered.test. A RRSIG NSEC"),
        dns.rrset.from_text("klustered.test.", 300, "IN", "NSEC", ". NS DS RRSIG NSEC"),
    ]
    proofs = NsecProofs(dns.name.root, records)
    assert proofs.nodata(dns.name.from_text("test."), dns.rdatatype.DS).finding == (
        Finding.EMPTY_NON_TERMINAL
    )
    assert proofs.name_error(dns.name.from_text("zzz.")).finding == Finding.NAME_ERROR
    with pytest.raises(DenialError, match="empty non-terminal"):
        proofs.name_error(dns.name.from_text("test."))
