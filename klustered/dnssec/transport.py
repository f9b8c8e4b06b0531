"""Where the verifier's queries go: one server, or the system's resolver.

Every query asks for DNSSEC records (DO) with checking disabled (CD), so a validating
resolver hands over what it has and the verifier judges it itself.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rdatatype
import dns.resolver


class QueryError(Exception):
    """A query got no usable answer (timeout, network error, malformed reply)."""


@dataclass(frozen=True)
class Server:
    """One DNS server: the address queries go to, and how the user named it."""

    address: str
    port: int
    label: str


def parse_server(text: str) -> Server:
    """`HOST`, `HOST:PORT` or `[IPv6]:PORT` as a Server; ValueError when it is not one."""
    host, port = text, "53"
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise ValueError(f"{text!r} is not HOST:PORT or [IPv6]:PORT")
        port = rest[1:] or "53"
    elif text.count(":") == 1:
        host, port = text.split(":")
    if not host:
        raise ValueError(f"{text!r} has no host")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{text!r}: port {port!r} is not a number from 1 to 65535")
    try:
        infos = socket.getaddrinfo(host, int(port), type=socket.SOCK_DGRAM)
    except socket.gaierror as exc:
        raise ValueError(f"{text!r}: cannot resolve {host!r} ({exc.strerror})") from None
    return Server(address=str(infos[0][4][0]), port=int(port), label=text)


def system_server() -> Server:
    """The first resolver in the system's configuration (/etc/resolv.conf)."""
    try:
        nameservers = dns.resolver.Resolver().nameservers
    except dns.exception.DNSException as exc:
        raise ValueError(f"no system resolver ({exc}); give --server HOST:PORT") from None
    if not nameservers:
        raise ValueError("no system resolver configured; give --server HOST:PORT")
    address = str(nameservers[0])
    return Server(address=address, port=53, label=f"{address} (system resolver)")


class Querier:
    """Sends every query to one server over UDP, falling back to TCP when truncated."""

    def __init__(self, server: Server, timeout: float = 3.0, tries: int = 2) -> None:
        self.server, self.timeout, self.tries = server, timeout, tries

    def __call__(
        self, qname: dns.name.Name, rdtype: dns.rdatatype.RdataType
    ) -> dns.message.Message:
        """The server's response to `qname rdtype` with DNSSEC records; QueryError if none."""
        query = dns.message.make_query(qname, rdtype, want_dnssec=True, payload=1232)
        query.flags |= dns.flags.CD
        what = f"{qname} {dns.rdatatype.to_text(rdtype)}"
        for _ in range(self.tries):
            try:
                response, _tcp = dns.query.udp_with_fallback(
                    query, self.server.address, timeout=self.timeout, port=self.server.port
                )
                return response
            except dns.exception.Timeout:
                continue
            except (OSError, dns.exception.DNSException) as exc:
                raise QueryError(f"{what} to {self.server.label}: {exc}") from None
        raise QueryError(f"{what}: no answer from {self.server.label} ({self.tries} tries)")
