"""`klustered dns verify`: prove a name's DNSSEC chain of trust, zone by zone."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import dns.exception
import dns.name
import dns.rdatatype
import typer

from klustered.config.errors import show
from klustered.console import console
from klustered.dnssec.anchor import AnchorError, read_trust_anchor
from klustered.dnssec.chain import Chain, ds_text, verify_chain, when
from klustered.dnssec.transport import Querier, parse_server, system_server

app = typer.Typer(
    help="DNSSEC: check the names an episode publishes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

out = console()
err = console(stderr=True)


def render_chain(chain: Chain) -> list[str]:
    """The chain as the user reads it: the anchor, each zone, the labels passed, the answer."""
    anchor = chain.anchor
    kinds = [k for k, v in (("DS", anchor.ds), ("DNSKEY", anchor.dnskey)) if v]
    lines = [f"trust anchor: {anchor.zone} {' and '.join(kinds)} from {anchor.source}"]
    for link in chain.links:
        listed = ", ".join(ds_text(d) for d in link.ds)
        vouch = f"DS {listed} ({link.vouched_by})" if link.ds else link.vouched_by
        tags = ", ".join(str(t) for t in link.trusted)
        lines.append(
            f"zone {link.zone}: {vouch} -> KSK {tags}; DNSKEY set ({len(link.keys)} keys) "
            f"signed by {link.signature.key_tag}, valid until {when(link.signature.expiration)}"
        )
        for name, zone, proof in chain.passages:
            if zone == link.zone:
                lines.append(f"  {name} is in {zone}, not a zone cut ({proof.by})")
    for address in chain.addresses:
        kind = dns.rdatatype.to_text(address.rdtype)
        if address.rrset is not None and address.signature is not None:
            values = ", ".join(sorted(r.to_text() for r in address.rrset))
            wildcard = f", from a wildcard ({address.proof.by})" if address.proof else ""
            lines.append(
                f"{chain.name} {kind} {values}: signed by {address.signature.signer} key "
                f"{address.signature.key_tag}, valid until {when(address.signature.expiration)}"
                f"{wildcard}"
            )
        elif address.proof is not None:
            lines.append(f"{chain.name} {kind}: none ({address.proof.by} proves it)")
    return lines


@app.command()
def verify(
    name: Annotated[str, typer.Argument(help="The name whose A/AAAA records to verify.")],
    server: Annotated[
        str | None,
        typer.Option(
            "--server",
            metavar="HOST:PORT",
            help="Send every query to this server (default: the system's resolver).",
        ),
    ] = None,
    trust_anchor: Annotated[
        Path | None,
        typer.Option(
            "--trust-anchor",
            metavar="FILE",
            help="DS or DNSKEY records of one zone in zone-file format (default: the root's).",
        ),
    ] = None,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout", min=0.1, metavar="SECONDS", help="Seconds to wait for each answer."
        ),
    ] = 3.0,
) -> None:
    """Validate NAME's DNSSEC chain from the trust anchor down to its address records."""
    try:
        anchor = read_trust_anchor(trust_anchor)
        target = dns.name.from_text(name)
        where = parse_server(server) if server else system_server()
    except (AnchorError, ValueError) as exc:
        raise _fail(f"error: {exc}") from None
    except dns.exception.DNSException as exc:
        raise _fail(f"error: {show(name)} is not a DNS name ({exc})") from None
    chain = verify_chain(target, anchor, Querier(where, timeout=timeout))
    for line in render_chain(chain):
        out.print(line, markup=False, soft_wrap=True)
    if chain.error is not None:
        raise _fail(f"error: {chain.error}")
    out.print(f"secure: {target} (queries to {where.label})", markup=False, soft_wrap=True)


def _fail(message: str) -> typer.Exit:
    err.print(message, markup=False, soft_wrap=True)
    return typer.Exit(1)
