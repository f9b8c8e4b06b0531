"""`klustered dns verify` against real signed zones served by a real authoritative server.

A root-like parent `.` (RSA/SHA-256 and NSEC, like the real root) delegates one
`<case>.test.` zone per case (NSEC3), each of which delegates `ep42.<case>.test.`
(NSEC3), the episode zone. ldns makes the keys and signs; knot serves all zones on
loopback; the anchor is the local root's DS. One case is a good chain, every other case
carries one fault, and each fault must be reported with the zone it is in. BIND's
validator (delv) checks the same names as a second opinion.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dns.name
import dns.rdataset
import dns.rdatatype
import dns.zone
import pytest
from typer.testing import CliRunner

from klustered.cli import app
from klustered.dnssec.anchor import read_trust_anchor
from klustered.dnssec.chain import Chain, Reason, verify_chain
from klustered.dnssec.transport import Querier, parse_server
from tests.dnssec_zones import (
    KnotServer,
    ZoneEdit,
    ZoneKeys,
    edit_signed,
    make_keys,
    sign_zone,
    tools_missing,
    write_zone,
)

pytestmark = pytest.mark.sandbox

CASES = ("good", "ds-mismatch", "expired-sig", "missing-sig", "unsigned", "unsigned-with-ds")

EPISODE_RECORDS = """\
api.blue IN A 203.0.113.10
api.blue IN A 203.0.113.11
blue IN A 203.0.113.20
teleport IN A 203.0.113.30
*.teleport IN A 203.0.113.30
notes IN TXT "no address here"
"""


@dataclass(frozen=True)
class Served:
    """The running server and the trust anchor file of its root."""

    server: str
    anchor: Path


def _episode(case: str) -> str:
    return f"ep42.{case}.test."


def _drop_rrsig(name: dns.name.Name, covered: dns.rdatatype.RdataType) -> ZoneEdit:
    def edit(zone: dns.zone.Zone) -> None:
        zone.delete_rdataset(name, dns.rdatatype.RRSIG, covered)

    return edit


def _put(name: dns.name.Name, rdataset: dns.rdataset.Rdataset) -> ZoneEdit:
    def edit(zone: dns.zone.Zone) -> None:
        zone.replace_rdataset(name, rdataset)

    return edit


def _build(directory: Path) -> dict[str, Path]:
    """Every zone file, signed (or deliberately broken) as its case says."""
    now = int(time.time())
    zones: dict[str, Path] = {}
    root_body = ""
    for case in CASES:
        parent, child = f"{case}.test.", _episode(case)
        parent_keys, child_keys = make_keys(directory, parent), make_keys(directory, child)
        child_file = write_zone(directory, child, EPISODE_RECORDS)
        child_ds: str | None = child_keys.ds
        if case in ("unsigned", "unsigned-with-ds"):
            zones[child] = child_file  # served as it is: no DNSKEY, no RRSIG
            if case == "unsigned":
                child_ds = None
        else:
            zones[child] = sign_zone(directory, child_file, child_keys)
        if case == "ds-mismatch":
            # The right key tag and algorithm, a digest of some other key.
            child_ds = _other_digest(child_keys)
        if case == "expired-sig":
            # api.blue's A signature comes from a signing that ended yesterday.
            old = sign_zone(
                directory,
                child_file,
                child_keys,
                inception=now - 30 * 86400,
                expiration=now - 86400,
                suffix="expired",
            )
            expired = dns.zone.from_file(str(old), origin=child, relativize=False)
            api = dns.name.from_text(f"api.blue.{child}")
            stale = expired.find_rdataset(api, dns.rdatatype.RRSIG, dns.rdatatype.A)
            edit_signed(zones[child], child, _put(api, stale))
        if case == "missing-sig":
            api = dns.name.from_text(f"api.blue.{child}")
            edit_signed(zones[child], child, _drop_rrsig(api, dns.rdatatype.A))
        parent_body = "ep42 IN NS ns.ep42\nns.ep42 IN A 127.0.0.1\n"
        if child_ds is not None:
            parent_body += f"{child_ds}\n"
        zones[parent] = sign_zone(
            directory, write_zone(directory, parent, parent_body), parent_keys
        )
        root_body += f"{parent} IN NS ns.{parent}\nns.{parent} IN A 127.0.0.1\n{parent_keys.ds}\n"
    root_keys = make_keys(directory, ".", "RSASHA256")  # like the real root: RSA, NSEC
    zones["."] = sign_zone(directory, write_zone(directory, ".", root_body), root_keys, nsec3=False)
    (directory / "root-anchor.ds").write_text(root_keys.ds + "\n", encoding="ascii")
    return zones


def _other_digest(keys: ZoneKeys) -> str:
    owner, cls, kind, tag, alg, digest_type, digest = keys.ds.split()
    flipped = digest[:-1] + ("0" if digest[-1] != "0" else "1")
    return " ".join([owner, cls, kind, tag, alg, digest_type, flipped])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    missing = tools_missing()
    if missing:
        pytest.skip(missing)
    directory = tmp_path_factory.mktemp("dnssec")
    knot = KnotServer(directory, _build(directory))
    knot.start()
    try:
        yield Served(server=f"127.0.0.1:{knot.port}", anchor=directory / "root-anchor.ds")
    finally:
        knot.stop()


def _verify(served: Served, name: str) -> Chain:
    anchor = read_trust_anchor(served.anchor)
    return verify_chain(dns.name.from_text(name), anchor, Querier(parse_server(served.server)))


def _cli(served: Served, name: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        app,
        ["dns", "verify", name, "--server", served.server, "--trust-anchor", str(served.anchor)],
    )
    return result.exit_code, result.stdout, result.stderr


GOOD_NAMES = ("api.blue.ep42.good.test.", "blue.ep42.good.test.", "teleport.ep42.good.test.")


@pytest.mark.parametrize("name", GOOD_NAMES)
def test_a_good_chain_is_secure_from_the_root_to_the_address(served: Served, name: str) -> None:
    chain = _verify(served, name)
    assert chain.error is None, str(chain.error)
    assert [str(link.zone) for link in chain.links] == [".", "good.test.", "ep42.good.test."]
    assert [link.signature.algorithm for link in chain.links] == [8, 13, 13]
    answers = {dns.rdatatype.to_text(a.rdtype): a for a in chain.addresses}
    assert answers["A"].rrset is not None
    assert answers["AAAA"].rrset is None and answers["AAAA"].proof is not None


def test_the_api_name_has_every_control_plane_address(served: Served) -> None:
    chain = _verify(served, "api.blue.ep42.good.test.")
    a = next(a for a in chain.addresses if a.rdtype == dns.rdatatype.A)
    assert a.rrset is not None
    assert sorted(r.to_text() for r in a.rrset) == ["203.0.113.10", "203.0.113.11"]


def test_a_teleport_app_name_is_secure_through_the_wildcard(served: Served) -> None:
    chain = _verify(served, "grafana.teleport.ep42.good.test.")
    assert chain.error is None, str(chain.error)
    a = next(a for a in chain.addresses if a.rdtype == dns.rdatatype.A)
    assert a.proof is not None and "NSEC3" in a.proof.by


def test_the_cli_prints_the_chain_zone_by_zone_and_exits_zero(served: Served) -> None:
    code, out, err = _cli(served, "api.blue.ep42.good.test.")
    assert code == 0, out + err
    lines = out.splitlines()
    zones = [line.split(":")[0] for line in lines if line.startswith("zone ")]
    assert zones == ["zone .", "zone good.test.", "zone ep42.good.test."]
    assert "test. is in ., not a zone cut" in out
    assert "api.blue.ep42.good.test. A 203.0.113.10, 203.0.113.11" in out
    assert lines[-1].startswith("secure: api.blue.ep42.good.test.")


FAULTS = [
    ("api.blue.ep42.ds-mismatch.test.", "ep42.ds-mismatch.test.", Reason.NO_DS_MATCH),
    ("api.blue.ep42.expired-sig.test.", "ep42.expired-sig.test.", Reason.EXPIRED_SIGNATURE),
    ("api.blue.ep42.missing-sig.test.", "ep42.missing-sig.test.", Reason.MISSING_SIGNATURE),
    ("api.blue.ep42.unsigned.test.", "ep42.unsigned.test.", Reason.UNSIGNED_ZONE),
    ("api.blue.ep42.unsigned-with-ds.test.", "ep42.unsigned-with-ds.test.", Reason.UNSIGNED_ZONE),
    ("api.red.ep42.good.test.", "ep42.good.test.", Reason.MISSING_RECORD),
    ("notes.ep42.good.test.", "ep42.good.test.", Reason.MISSING_RECORD),
]


@pytest.mark.parametrize(("name", "zone", "reason"), FAULTS, ids=[f[0] for f in FAULTS])
def test_each_fault_is_reported_with_its_zone_and_reason(
    served: Served, name: str, zone: str, reason: Reason
) -> None:
    chain = _verify(served, name)
    assert chain.error is not None, f"{name} validated"
    assert (str(chain.error.zone), chain.error.reason) == (zone, reason), str(chain.error)


def test_the_expired_signature_names_the_record_and_when(served: Served) -> None:
    chain = _verify(served, "api.blue.ep42.expired-sig.test.")
    assert chain.error is not None
    assert "RRSIG over api.blue.ep42.expired-sig.test. A" in chain.error.detail
    assert "expired at" in chain.error.detail


def test_the_unsigned_child_is_proven_insecure_by_its_parent(served: Served) -> None:
    chain = _verify(served, "api.blue.ep42.unsigned.test.")
    assert chain.error is not None
    assert "unsigned.test. delegates ep42.unsigned.test. without DS" in chain.error.detail
    assert "NSEC3" in chain.error.detail


@pytest.mark.parametrize(("name", "zone", "reason"), FAULTS, ids=[f[0] for f in FAULTS])
def test_the_cli_exits_non_zero_naming_zone_and_reason(
    served: Served, name: str, zone: str, reason: Reason
) -> None:
    code, out, err = _cli(served, name)
    assert code == 1, out + err
    assert err.strip().splitlines()[-1].startswith(f"error: zone {zone}: {reason}:"), err
    assert "Traceback" not in out + err


def test_a_real_process_fails_cleanly_without_a_traceback(served: Served) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "klustered",
            "dns",
            "verify",
            "api.blue.ep42.ds-mismatch.test",
            "--server",
            served.server,
            "--trust-anchor",
            str(served.anchor),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "error: zone ep42.ds-mismatch.test.: no DS match: DS " in done.stderr
    assert "Traceback" not in done.stdout + done.stderr


def _delv(served: Served, name: str) -> str:
    anchor = served.anchor.read_text(encoding="ascii").split()
    _, _, _, tag, alg, digest_type, digest = anchor
    config = served.anchor.with_name("delv-anchor.conf")
    config.write_text(
        f'trust-anchors {{ "." static-ds {tag} {alg} {digest_type} "{digest}"; }};\n',
        encoding="ascii",
    )
    host, port = served.server.rsplit(":", 1)
    done = subprocess.run(
        ["delv", f"@{host}", "-p", port, "-a", str(config), "+root=.", name, "A"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done.stdout + done.stderr


@pytest.fixture
def delv() -> None:
    if shutil.which("delv") is None:
        pytest.skip("delv is not installed (Debian package bind9-dnsutils)")


@pytest.mark.usefixtures("delv")
@pytest.mark.parametrize("name", [*GOOD_NAMES, "grafana.teleport.ep42.good.test."])
def test_bind_agrees_the_good_names_validate(served: Served, name: str) -> None:
    assert "; fully validated" in _delv(served, name)


@pytest.mark.usefixtures("delv")
@pytest.mark.parametrize("name", [f[0] for f in FAULTS[:5]])
def test_bind_agrees_the_faulty_chains_do_not_validate(served: Served, name: str) -> None:
    output = _delv(served, name)
    assert "; fully validated" not in output, output
