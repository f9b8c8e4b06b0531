"""The episode's DNSSEC-signed zone `<stack>.<domain>`, delegated from the apex zone.

The zone is a Cloud DNS managed zone with DNSSEC on (NSEC3, ECDSA P-256). The apex zone
gets an NS record set for it and a DS record set built from the zone's active
key-signing keys, read only once the zone exists and is signed. Names per team and for
Teleport are A record sets in the episode zone.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

import pulumi
import pulumi_gcp as gcp

from components.dns.cloud_dns import dnssec_config, key_signing_keys
from components.dns.keys import active_ds_records
from components.dns.names import (
    api_name,
    app_name,
    dns_name_problem,
    episode_domain,
    fqdn,
    label_problem,
    managed_zone_name,
    teleport_name,
    teleport_wildcard,
)

TYPE = "klustered:dns:EpisodeZone"
DEFAULT_TTL = 300


class TeamRecordsArgs(TypedDict):
    """One team's names: its API (every control plane) and its app."""

    team: str
    api_ips: list[pulumi.Input[str]]
    """Every control plane's public address."""
    app_ips: list[pulumi.Input[str]]
    """The public addresses the app's NodePort answers on."""


class EpisodeZoneArgs(TypedDict):
    """Where the episode zone lives, who delegates it, and the names in it."""

    stack: str
    """The stack's name: the zone's first label."""
    domain: str
    """The apex the host owns (`klustered.live`)."""
    parent_zone: pulumi.Input[str]
    """The apex's Cloud DNS managed zone name: NS and DS go there."""
    project: str
    """The GCP project of both zones."""
    teams: list[TeamRecordsArgs]
    ttl: NotRequired[int]
    """TTL of every record set this component creates (300 when absent)."""
    teleport_ip: NotRequired[pulumi.Input[str]]
    """The Teleport proxy's public address: `teleport.` and `*.teleport.` point at it."""


class EpisodeZone(pulumi.ComponentResource):
    """A signed Cloud DNS zone for one episode, delegated with NS + DS, and its names."""

    zone: gcp.dns.ManagedZone
    dns_name: str
    """`<stack>.<domain>` without the final dot."""
    name_servers: pulumi.Output[list[str]]
    ds_records: pulumi.Output[list[str]]
    """The DS rdata published in the parent zone (one per active key-signing key)."""
    names: dict[str, str]
    """Every name this zone serves, keyed by record (`api-blue`, `app-blue`, `teleport`)."""

    def __init__(
        self, name: str, args: EpisodeZoneArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, {}, opts)
        _validate(args)
        stack, domain, project = args["stack"], args["domain"], args["project"]
        ttl = args.get("ttl", DEFAULT_TTL)
        self.dns_name = episode_domain(stack, domain)
        child = pulumi.ResourceOptions(parent=self)

        self.zone = gcp.dns.ManagedZone(
            f"{name}-zone",
            name=managed_zone_name(stack, domain),
            dns_name=fqdn(self.dns_name),
            project=project,
            description=f"Klustered episode {stack} (managed by Pulumi)",
            visibility="public",
            dnssec_config=dnssec_config(),
            # The episode owns everything in its zone: records added by hand go with it.
            force_destroy=True,
            labels={"klustered-stack": stack},
            opts=child,
        )
        self.name_servers = self.zone.name_servers.apply(lambda ns: sorted(ns or []))
        keys = key_signing_keys(
            self.zone.id,
            project,
            pulumi.InvokeOutputOptions(parent=self, depends_on=[self.zone]),
        )
        zone_label = self.dns_name
        self.ds_records = keys.apply(lambda k: active_ds_records(zone_label, k))

        ns = gcp.dns.RecordSet(
            f"{name}-ns",
            managed_zone=args["parent_zone"],
            project=project,
            name=fqdn(self.dns_name),
            type="NS",
            ttl=ttl,
            rrdatas=self.name_servers,
            opts=child,
        )
        # After the NS: a DS without a delegation is useless, and on removal the DS goes
        # first (the zone turns insecure, never bogus).
        gcp.dns.RecordSet(
            f"{name}-ds",
            managed_zone=args["parent_zone"],
            project=project,
            name=fqdn(self.dns_name),
            type="DS",
            ttl=ttl,
            rrdatas=self.ds_records,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.zone, ns]),
        )

        records: dict[str, tuple[str, list[pulumi.Input[str]]]] = {}
        for team in args["teams"]:
            label = team["team"]
            records[f"api-{label}"] = (api_name(label, stack, domain), team["api_ips"])
            records[f"app-{label}"] = (app_name(label, stack, domain), team["app_ips"])
        teleport_ip = args.get("teleport_ip")
        if teleport_ip is not None:
            records["teleport"] = (teleport_name(stack, domain), [teleport_ip])
            records["teleport-wildcard"] = (teleport_wildcard(stack, domain), [teleport_ip])
        for suffix, (host, ips) in records.items():
            gcp.dns.RecordSet(
                f"{name}-{suffix}",
                managed_zone=self.zone.name,
                project=project,
                name=fqdn(host),
                type="A",
                ttl=ttl,
                rrdatas=pulumi.Output.all(*ips).apply(lambda values: sorted(set(values))),
                opts=child,
            )
        self.names = {suffix: host for suffix, (host, _) in records.items()}

        self.register_outputs(
            {
                "dnsName": self.dns_name,
                "nameServers": self.name_servers,
                "dsRecords": self.ds_records,
                "names": self.names,
            }
        )


def _validate(args: EpisodeZoneArgs) -> None:
    """Every name the zone would hold is a valid DNS name, before any resource exists."""
    problem = dns_name_problem(args["domain"])
    if problem is not None:
        raise ValueError(f"episode zone: domain {args['domain']!r}: {problem}")
    stack_problem = label_problem(args["stack"])
    if stack_problem is not None:
        raise ValueError(f"episode zone: stack name {args['stack']!r} {stack_problem}")
    names = [teleport_wildcard(args["stack"], args["domain"])]
    for team in args["teams"]:
        team_problem = label_problem(team["team"])
        if team_problem is not None:
            raise ValueError(f"episode zone: team {team['team']!r} {team_problem}")
        if not team["api_ips"] or not team["app_ips"]:
            raise ValueError(f"episode zone: team {team['team']!r} needs API and app addresses")
        names.append(api_name(team["team"], args["stack"], args["domain"]))
    for host in names:
        problem = dns_name_problem(host.removeprefix("*."))
        if problem is not None:
            raise ValueError(f"episode zone: {host}: {problem}")
