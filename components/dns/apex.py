"""The apex the host owns (`klustered.live`), when a stack manages it.

Optionally the apex's Cloud DNS zone itself (DNSSEC on, protected: deleting it would take
every episode's names with it) and, with the `gandi` registrar, the apex's DS published
at Gandi from the zone's one active key-signing key. Publish the DS only once the zone
has been signed and served for a while; remove the DS first when going back (docs/dns.md).
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

import pulumi
import pulumi_gcp as gcp
import pulumiverse_gandi as gandi

from components.dns.cloud_dns import dnssec_config, key_signing_keys
from components.dns.keys import registrar_key
from components.dns.names import dns_name_problem, fqdn, normalize_domain

TYPE = "klustered:dns:ApexZone"

Registrar = Literal["none", "gandi"]


class ApexZoneArgs(TypedDict):
    """The apex, its Cloud DNS zone, and where its DS goes."""

    domain: str
    """The apex (`klustered.live`)."""
    zone: str
    """Its Cloud DNS managed zone name."""
    project: str
    create_zone: bool
    """Create the managed zone here (DNSSEC on); otherwise it already exists."""
    registrar: Registrar
    """`gandi`: publish the apex's DS at Gandi (token from the provider's own config)."""
    description: NotRequired[str]


class ApexZone(pulumi.ComponentResource):
    """The apex zone as this stack manages it: the zone, its DS at the registrar, or both."""

    zone_name: pulumi.Output[str]
    """The managed zone name (waits for the zone when it is created here)."""
    managed_zone: gcp.dns.ManagedZone | None
    registrar_key: gandi.domains.DNSSecKey | None

    def __init__(
        self, name: str, args: ApexZoneArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, {}, opts)
        domain = normalize_domain(args["domain"])
        problem = dns_name_problem(domain)
        if problem is not None:
            raise ValueError(f"apex zone: domain {args['domain']!r}: {problem}")
        project = args["project"]
        self.managed_zone = None
        self.registrar_key = None
        zone_id: pulumi.Input[str] = args["zone"]
        depends: list[pulumi.Resource] = []
        if args["create_zone"]:
            self.managed_zone = gcp.dns.ManagedZone(
                f"{name}-zone",
                name=args["zone"],
                dns_name=fqdn(domain),
                project=project,
                description=args.get(
                    "description", f"{domain} (Klustered apex, managed by Pulumi)"
                ),
                visibility="public",
                dnssec_config=dnssec_config(),
                opts=pulumi.ResourceOptions(parent=self, protect=True),
            )
            self.zone_name = self.managed_zone.name
            zone_id = self.managed_zone.id
            depends = [self.managed_zone]
        else:
            self.zone_name = pulumi.Output.from_input(args["zone"])

        if args["registrar"] == "gandi":
            keys = key_signing_keys(
                zone_id, project, pulumi.InvokeOutputOptions(parent=self, depends_on=depends)
            )
            key = keys.apply(lambda k: registrar_key(domain, k))
            self.registrar_key = gandi.domains.DNSSecKey(
                f"{name}-ds-gandi",
                domain=domain,
                algorithm=key.apply(lambda k: k[0]),
                type="ksk",
                public_key=key.apply(lambda k: k[1]),
                opts=pulumi.ResourceOptions(parent=self, depends_on=depends),
            )
        self.register_outputs({"zoneName": self.zone_name})
