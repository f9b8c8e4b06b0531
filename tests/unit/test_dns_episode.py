"""The episode's DNS under the mock engine: a signed zone, its delegation, its names.

The mocks answer `gcp.dns.get_keys` with keys made from a real P-256 key, so the DS the
program publishes can be checked against the DNSKEY it stands for.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import dns.dnssec
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import pulumi
import pytest
import yaml
from conftest import REPO, run_stack
from dns.rdtypes.ANY.DNSKEY import DNSKEY

from components.dns.names import teleport_name, teleport_wildcard
from components.dns.zone import EpisodeZone
from klustered.offline import OfflineMocks, RecordingMonitor, Registration
from klustered.plan import OfflineRun, run_offline
from klustered.program import main

ZONE = "gcp:dns/managedZone:ManagedZone"
RECORDS = "gcp:dns/recordSet:RecordSet"
INSTANCE = "gcp:compute/instance:Instance"
STACK = "ep-42"

DNS_STACK: dict[str, Any] = {
    "klustered:machines": {"provider": "gcp", "gcp": {"project": "episodes"}},
    "klustered:teams": [
        {"name": "blue", "controlPlanes": 3, "workers": 2},
        {"name": "green", "controlPlanes": 1, "workers": 0},
    ],
    "klustered:dns": {"domain": "klustered.live", "zone": "klustered-live", "project": "dns-prj"},
}


@pytest.fixture(scope="module")
def run() -> OfflineRun:
    return run_stack(DNS_STACK, stack=STACK)


def _record(run: OfflineRun, name: str) -> Registration:
    return run.named(name)


def _nat_ip(reg: Registration) -> str:
    return str(reg.outputs["networkInterfaces"][0]["accessConfigs"][0]["natIp"])


def _public_ips(run: OfflineRun, team: str, role: str) -> list[str]:
    prefix = f"episode-{team}-{role}-"
    return sorted(_nat_ip(r) for r in run.by_type(INSTANCE) if r.name.startswith(prefix))


def test_the_episode_zone_is_stack_dot_domain_signed_with_nsec3_and_p256(run: OfflineRun) -> None:
    zone = _record(run, "episode-dns-zone")
    assert zone.type == ZONE
    inputs = zone.inputs
    assert inputs["dnsName"] == "ep-42.klustered.live."
    assert inputs["name"] == "ep-42-klustered-live"
    assert inputs["project"] == "dns-prj"
    assert inputs["visibility"] == "public"
    dnssec = inputs["dnssecConfig"]
    assert dnssec["state"] == "on"
    assert dnssec["nonExistence"] == "nsec3"
    specs = {s["keyType"]: (s["algorithm"], s["keyLength"]) for s in dnssec["defaultKeySpecs"]}
    assert specs == {
        "keySigning": ("ecdsap256sha256", 256),
        "zoneSigning": ("ecdsap256sha256", 256),
    }


def test_ns_and_ds_are_published_in_the_apex_zone(run: OfflineRun) -> None:
    zone = _record(run, "episode-dns-zone")
    ns, ds = _record(run, "episode-dns-ns"), _record(run, "episode-dns-ds")
    for reg, kind in ((ns, "NS"), (ds, "DS")):
        assert reg.type == RECORDS
        assert reg.inputs["managedZone"] == "klustered-live"
        assert reg.inputs["project"] == "dns-prj"
        assert reg.inputs["name"] == "ep-42.klustered.live."
        assert reg.inputs["type"] == kind
        assert reg.inputs["ttl"] == 300
    assert ns.inputs["rrdatas"] == sorted(zone.outputs["nameServers"])


def _get_keys(run: OfflineRun, zone: Registration) -> dict[str, Any]:
    zone_id = f"projects/{zone.inputs['project']}/managedZones/{zone.inputs['name']}"
    [call] = [i for i in run.invokes if i.token == "gcp:dns/getKeys:getKeys"]
    assert call.args["managedZone"] == zone_id
    return call.result


def test_the_ds_is_the_childs_active_ksk_and_matches_its_dnskey(run: OfflineRun) -> None:
    zone = _record(run, "episode-dns-zone")
    keys = _get_keys(run, zone)
    [ksk] = keys["keySigningKeys"]
    [rdata] = _record(run, "episode-dns-ds").inputs["rrdatas"]
    ds = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.DS, rdata)
    dnskey = DNSKEY(
        dns.rdataclass.IN,
        dns.rdatatype.DNSKEY,
        257,
        3,
        13,
        base64.b64decode(ksk["publicKey"]),
    )
    assert ds == dns.dnssec.make_ds(dns.name.from_text(zone.inputs["dnsName"]), dnskey, "SHA256")
    [zsk] = keys["zoneSigningKeys"]
    assert str(int(zsk["keyTag"])) not in rdata


def test_the_ds_waits_for_the_signed_zone_and_the_ns(run: OfflineRun) -> None:
    zone, ns, ds = (
        _record(run, n) for n in ("episode-dns-zone", "episode-dns-ns", "episode-dns-ds")
    )
    # The DS values come from the zone's keys (the lookup carries the zone as dependency).
    assert zone.urn in ds.property_dependencies["rrdatas"]
    assert {zone.urn, ns.urn} <= set(ds.dependencies)


def test_every_team_gets_its_api_and_app_names(run: OfflineRun) -> None:
    expected = {
        "episode-dns-api-blue": (
            "api.blue.ep-42.klustered.live.",
            _public_ips(run, "blue", "control-plane"),
        ),
        "episode-dns-app-blue": ("blue.ep-42.klustered.live.", _public_ips(run, "blue", "worker")),
        "episode-dns-api-green": (
            "api.green.ep-42.klustered.live.",
            _public_ips(run, "green", "control-plane"),
        ),
        # No workers: the app answers on control-plane-1.
        "episode-dns-app-green": (
            "green.ep-42.klustered.live.",
            _public_ips(run, "green", "control-plane"),
        ),
    }
    assert len(expected["episode-dns-api-blue"][1]) == 3
    for resource, (host, ips) in expected.items():
        reg = _record(run, resource)
        assert reg.inputs["managedZone"] == "ep-42-klustered-live"
        assert (reg.inputs["name"], reg.inputs["type"], reg.inputs["rrdatas"]) == (host, "A", ips)
    names = {r.inputs["name"] for r in run.by_type(RECORDS)}
    assert not any("teleport" in n for n in names)


def test_the_api_certificate_names_the_api(run: OfflineRun) -> None:
    for team in ("blue", "green"):
        text = run.value[f"{team}/{team}-control-plane-1/kubeadm.yaml"]
        [cluster] = [d for d in yaml.safe_load_all(text) if d["kind"] == "ClusterConfiguration"]
        assert f"api.{team}.ep-42.klustered.live" in cluster["apiServer"]["certSANs"]


ADMIN_CONF = yaml.safe_dump(
    {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {"name": "blue", "cluster": {"server": "https://api.blue.klustered.internal:6443"}}
        ],
        "contexts": [],
        "users": [],
    }
)


class AdminConfMocks(OfflineMocks):
    """The admin kubeconfig step prints an admin.conf, as kubeadm's would."""

    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[Any, Any]]:
        resource_id, outputs = super().new_resource(args)
        if args.name.endswith("-80-admin-kubeconfig"):
            outputs["stdout"] = ADMIN_CONF
        return resource_id, outputs


def test_the_kubeconfig_output_uses_the_name_and_the_provider_the_address() -> None:
    config = {k: json.dumps(v) for k, v in DNS_STACK.items()}
    monitor = RecordingMonitor(AdminConfMocks())

    def program() -> Any:
        team = main(base_dir=REPO).teams["blue"]
        return {"endpoint": team.cluster.api_endpoint, "kubeconfig": team.cluster.kubeconfig}

    result = run_offline(program, config, stack=STACK, monitor=monitor)
    name = "https://api.blue.ep-42.klustered.live:6443"
    assert result.value["endpoint"] == name
    kubeconfig = yaml.safe_load(result.value["kubeconfig"])
    assert [c["cluster"]["server"] for c in kubeconfig["clusters"]] == [name]
    provider = result.named("episode-blue-cluster-provider")
    servers = [
        c["cluster"]["server"] for c in yaml.safe_load(provider.inputs["kubeconfig"])["clusters"]
    ]
    first = _nat_ip(result.named("episode-blue-control-plane-1-instance"))
    assert servers == [f"https://{first}:6443"]


def test_teleport_names_point_at_the_teleport_address() -> None:
    def program() -> None:
        EpisodeZone(
            "dns",
            {
                "stack": STACK,
                "domain": "klustered.live",
                "parent_zone": "klustered-live",
                "project": "dns-prj",
                "teams": [],
                "teleport_ip": "198.51.100.7",
            },
        )

    result = run_offline(program, stack=STACK)
    assert teleport_name(STACK, "klustered.live") == "teleport.ep-42.klustered.live"
    for resource, host in (
        ("dns-teleport", teleport_name(STACK, "klustered.live")),
        ("dns-teleport-wildcard", teleport_wildcard(STACK, "klustered.live")),
    ):
        reg = result.named(resource)
        assert (reg.inputs["name"], reg.inputs["type"]) == (f"{host}.", "A")
        assert reg.inputs["rrdatas"] == ["198.51.100.7"]


def test_without_dns_nothing_dns_is_registered_and_the_api_is_an_address() -> None:
    config = {k: v for k, v in DNS_STACK.items() if k != "klustered:dns"}
    result = run_stack(config, stack="Not_A_Label")
    types = {r.type for r in result.registrations}
    assert not {t for t in types if t.startswith(("gcp:dns", "gandi:", "klustered:dns"))}
    assert result.invokes == []
    text = result.value["blue/blue-control-plane-1/kubeadm.yaml"]
    assert "klustered.live" not in text


class KeyMocks(OfflineMocks):
    """getKeys answers with the KSKs this test asks for (active or not, one or two)."""

    def __init__(self, ksks: list[bool]) -> None:
        super().__init__()
        self.ksks = ksks

    def call(
        self, args: pulumi.runtime.MockCallArgs
    ) -> tuple[dict[Any, Any], list[tuple[str, str]] | None]:
        result, failures = super().call(args)
        if args.token == "gcp:dns/getKeys:getKeys":
            [ksk] = result["keySigningKeys"]
            result["keySigningKeys"] = [
                {
                    **ksk,
                    "keyTag": ksk["keyTag"] + i,
                    "dsRecord": f"{ksk['keyTag'] + i} 13 2 {i:064x}",
                    "isActive": active,
                }
                for i, active in enumerate(self.ksks)
            ]
        return result, failures


def _zone_program() -> None:
    EpisodeZone(
        "dns",
        {
            "stack": STACK,
            "domain": "klustered.live",
            "parent_zone": "klustered-live",
            "project": "dns-prj",
            "teams": [{"team": "blue", "api_ips": ["192.0.2.1"], "app_ips": ["192.0.2.2"]}],
        },
    )


def test_a_rollover_publishes_every_active_ksk_and_skips_the_retired_one() -> None:
    result = run_offline(
        _zone_program, stack=STACK, monitor=RecordingMonitor(KeyMocks([True, False, True]))
    )
    rrdatas = result.named("dns-ds").inputs["rrdatas"]
    assert [r.split()[2:] for r in rrdatas] == [["2", f"{0:064x}"], ["2", f"{2:064x}"]]


def test_a_zone_with_no_active_ksk_gets_no_ds() -> None:
    monitor = RecordingMonitor(KeyMocks([False]))
    with pytest.raises(Exception, match=r"ep-42\.klustered\.live has no active key-signing key"):
        run_offline(_zone_program, stack=STACK, monitor=monitor)
    assert "dns-ds" not in {r.name for r in monitor.registrations}


APEX_STACK = {
    **DNS_STACK,
    "klustered:dns": {**DNS_STACK["klustered:dns"], "createApex": True, "registrar": "gandi"},
    "gandi:personalAccessToken": "token-for-the-mocks",
}


@pytest.fixture(scope="module")
def apex_run() -> OfflineRun:
    config = {k: v if isinstance(v, str) else json.dumps(v) for k, v in APEX_STACK.items()}
    return run_offline(
        lambda: main(base_dir=REPO), config, ["gandi:personalAccessToken"], stack=STACK
    )


def test_the_apex_zone_is_signed_and_protected(apex_run: OfflineRun) -> None:
    apex = apex_run.named("episode-apex-zone")
    assert apex.type == ZONE
    assert apex.inputs["dnsName"] == "klustered.live."
    assert apex.inputs["name"] == "klustered-live"
    assert apex.inputs["dnssecConfig"]["state"] == "on"
    assert apex.inputs["dnssecConfig"]["nonExistence"] == "nsec3"
    assert apex.options["protect"] is True
    for child in ("episode-dns-ns", "episode-dns-ds"):
        assert apex.urn in apex_run.named(child).property_dependencies["managedZone"]


def test_gandi_gets_the_apex_active_ksk_after_the_apex_is_signed(apex_run: OfflineRun) -> None:
    apex = apex_run.named("episode-apex-zone")
    apex_id = "projects/dns-prj/managedZones/klustered-live"
    [call] = [i for i in apex_run.invokes if i.args.get("managedZone") == apex_id]
    [ksk] = call.result["keySigningKeys"]
    key = apex_run.named("episode-apex-ds-gandi")
    assert key.type == "gandi:domains/dNSSecKey:DNSSecKey"
    assert key.inputs == {
        "domain": "klustered.live",
        "algorithm": 13,
        "type": "ksk",
        "publicKey": ksk["publicKey"],
    }
    assert apex.urn in key.dependencies
    assert apex.urn in key.property_dependencies["publicKey"]
    # No token in any resource's inputs: the provider reads its own config.
    assert not any("token-for-the-mocks" in json.dumps(r.inputs) for r in apex_run.registrations)


def test_gandi_alone_reads_the_existing_apex_zone_keys() -> None:
    stack = {
        **DNS_STACK,
        "klustered:dns": {**DNS_STACK["klustered:dns"], "registrar": "gandi"},
        "gandi:personalAccessToken": "x",
    }
    result = run_stack(stack, stack=STACK)
    assert not [r for r in result.registrations if r.name == "episode-apex-zone"]
    assert any(i.args.get("managedZone") == "klustered-live" for i in result.invokes)
    assert result.named("episode-apex-ds-gandi").inputs["domain"] == "klustered.live"
    assert result.named("episode-dns-ns").inputs["managedZone"] == "klustered-live"


def test_invalid_dns_fails_before_any_resource_is_registered() -> None:
    monitor = RecordingMonitor(OfflineMocks())
    config = {k: json.dumps(v) for k, v in DNS_STACK.items()}
    with pytest.raises(pulumi.RunError, match=r"stack: 'Ep_42' is not a DNS label"):
        run_offline(lambda: main(base_dir=REPO), config, stack="Ep_42", monitor=monitor)
    assert monitor.registrations == []
