"""Signed zones for the DNSSEC sandbox tests: ldns makes the keys and signs, knot serves.

Everything lives in one temporary directory; the knot server is a process the test
starts on a free loopback port and stops by its PID.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dns.exception
import dns.message
import dns.name
import dns.query
import dns.rdatatype
import dns.zone

TOOLS = {
    "ldns-keygen": "ldnsutils",
    "ldns-signzone": "ldnsutils",
    "knotd": "knot",
}


def tools_missing() -> str | None:
    """Why the signed-zone sandbox cannot run here, or None."""
    for tool, package in TOOLS.items():
        if shutil.which(tool) is None:
            return f"{tool} is not installed (Debian package {package})"
    return None


def _run(args: list[str], cwd: Path) -> str:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=60, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout.strip()


@dataclass(frozen=True)
class ZoneKeys:
    """A zone's ECDSA P-256 key pair files (ldns base names) and its KSK's DS record."""

    origin: str
    ksk: str
    zsk: str
    ds: str
    """`<origin> IN DS <tag> <algorithm> 2 <digest>`, written by ldns-keygen for the KSK."""


def make_keys(directory: Path, origin: str, algorithm: str = "ECDSAP256SHA256") -> ZoneKeys:
    """A KSK and a ZSK for `origin` (ldns-keygen), and the KSK's DS.

    ECDSA P-256 like Cloud DNS's keys; `RSASHA256` (2048 bits) like the real root's.
    """
    args = ["ldns-keygen", "-a", algorithm, "-r", "/dev/urandom"]
    if algorithm.startswith("RSA"):
        args += ["-b", "2048"]
    ksk = _run([*args, "-k", origin], directory)
    zsk = _run([*args, origin], directory)
    ds = (directory / f"{ksk}.ds").read_text(encoding="ascii").strip()
    return ZoneKeys(origin, ksk, zsk, ds)


def file_name(origin: str) -> str:
    """A file name for a zone (`root` for `.`)."""
    return origin.rstrip(".") or "root"


def write_zone(directory: Path, origin: str, body: str) -> Path:
    """An unsigned zone file: SOA and NS at the apex, then `body` (names relative)."""
    path = directory / f"{file_name(origin)}.zone"
    apex = origin if origin != "." else "root."
    path.write_text(
        f"$ORIGIN {origin}\n$TTL 300\n"
        f"@ IN SOA ns.{apex} hostmaster.{apex} 1 3600 600 86400 300\n"
        f"@ IN NS ns.{apex}\n"
        f"ns.{apex} IN A 127.0.0.1\n"
        f"{body}",
        encoding="ascii",
    )
    return path


def sign_zone(
    directory: Path,
    zone_file: Path,
    keys: ZoneKeys,
    *,
    nsec3: bool = True,
    inception: int | None = None,
    expiration: int | None = None,
    suffix: str = "signed",
) -> Path:
    """ldns-signzone `zone_file` with the zone's keys (NSEC3 without iterations, or NSEC)."""
    out = zone_file.with_suffix(f".{suffix}")
    args = ["ldns-signzone", "-f", str(out)]
    if nsec3:
        args += ["-n", "-t", "0"]
    if inception is not None:
        args += ["-i", str(inception)]
    if expiration is not None:
        args += ["-e", str(expiration)]
    _run([*args, str(zone_file), keys.ksk, keys.zsk], directory)
    return out


ZoneEdit = Callable[[dns.zone.Zone], None]


def edit_signed(path: Path, origin: str, edit: ZoneEdit) -> None:
    """Load a signed zone with dnspython, let `edit(zone)` change it, write it back."""
    zone = dns.zone.from_file(str(path), origin=origin, relativize=False, check_origin=False)
    edit(zone)
    zone.to_file(str(path), relativize=False, want_origin=False)


def free_port() -> int:
    """A TCP/UDP port on loopback nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.bind(("127.0.0.1", 0))
        port = int(udp.getsockname()[1])
    with socket.socket() as tcp:
        tcp.bind(("127.0.0.1", port))
    return port


class KnotServer:
    """knotd serving signed zone files, authoritative for all of them, on loopback."""

    def __init__(self, directory: Path, zones: dict[str, Path]) -> None:
        self.directory = directory
        self.zones = zones
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    def _config(self) -> Path:
        run = self.directory / "knot-run"
        db = self.directory / "knot-db"
        run.mkdir(exist_ok=True)
        db.mkdir(exist_ok=True)
        zones = "".join(
            f"  - domain: {origin}\n    file: {path}\n" for origin, path in self.zones.items()
        )
        config = self.directory / "knot.conf"
        config.write_text(
            f'server:\n    rundir: "{run}"\n    listen: 127.0.0.1@{self.port}\n'
            f'database:\n    storage: "{db}"\n'
            f"log:\n  - target: stderr\n    any: warning\n"
            f'template:\n  - id: default\n    storage: "{self.directory}"\n'
            "    semantic-checks: off\n    zonefile-sync: -1\n    zonefile-load: whole\n"
            "    journal-content: none\n"
            f"zone:\n{zones}",
            encoding="ascii",
        )
        return config

    def start(self) -> None:
        """Start knotd on a free port and wait until every zone answers."""
        for _ in range(3):
            self.port = free_port()
            log = (self.directory / "knot.log").open("wb")
            self.process = subprocess.Popen(
                ["knotd", "-c", str(self._config())], stdout=log, stderr=subprocess.STDOUT
            )
            if self._wait_ready():
                return
            self.stop()
        log_text = (self.directory / "knot.log").read_text(errors="replace")
        raise RuntimeError(f"knotd did not start:\n{log_text}")

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + 15
        pending = set(self.zones)
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                return False
            for origin in list(pending):
                query = dns.message.make_query(origin, dns.rdatatype.SOA)
                try:
                    reply = dns.query.udp(query, "127.0.0.1", port=self.port, timeout=0.5)
                except (OSError, dns.exception.Timeout):
                    break
                if reply.answer:
                    pending.discard(origin)
            if not pending:
                return True
            time.sleep(0.1)
        return False

    def stop(self) -> None:
        """Stop knotd (by its PID): TERM, then KILL if it lingers."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None


def absolute(name: str) -> dns.name.Name:
    """`name` as an absolute dnspython name."""
    return dns.name.from_text(name)
