"""`klustered:dns`: the apex, its zone and project, the registrar and its token."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from klustered.cli import app
from klustered.config import check_stack_config

BASE: dict[str, Any] = {
    "klustered:machines": {"provider": "gcp", "gcp": {"project": "episodes"}},
    "klustered:teams": [{"name": "blue"}],
}
DNS = {"domain": "klustered.live", "zone": "klustered-live", "project": "klustered-dns"}


def _errors(dns: dict[str, Any] | None, stack: str = "ep-42", **extra: Any) -> list[str]:
    raw = {**BASE, **extra}
    if dns is not None:
        raw["klustered:dns"] = dns
    return [str(e) for e in check_stack_config(raw, stack=stack).errors]


@pytest.fixture(autouse=True)
def _no_gandi_token_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GANDI_PERSONAL_ACCESS_TOKEN", raising=False)
    monkeypatch.delenv("GANDI_KEY", raising=False)


def test_a_stack_without_dns_has_none() -> None:
    result = check_stack_config(BASE, stack="Not_A_Label")
    assert result.ok, result.errors
    assert result.config is not None and result.config.dns is None


def test_the_dns_section_with_defaults() -> None:
    result = check_stack_config({**BASE, "klustered:dns": {**DNS, "domain": "klustered.live."}})
    assert result.config is not None and result.config.dns is not None
    dns = result.config.dns
    assert (dns.domain, dns.zone, dns.project) == (
        "klustered.live",
        "klustered-live",
        "klustered-dns",
    )
    assert (dns.registrar, dns.create_apex, dns.ttl) == ("none", False, 300)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"domain": "klustered..live"},
            "dns.domain: 'klustered..live' is not a valid DNS name: it has an empty label",
        ),
        (
            {"domain": "Klustered.live"},
            "dns.domain: 'Klustered.live' is not a valid DNS name: the label 'Klustered' is not",
        ),
        ({"domain": "live"}, "dns.domain: 'live' is not a valid DNS name: it needs at least two"),
        ({"zone": "klustered.live"}, "dns.zone: 'klustered.live' is not a Cloud DNS managed zone"),
        ({"project": "P"}, "dns.project: 'P' is not a GCP project ID"),
        ({"registrar": "godaddy"}, "dns.registrar: 'godaddy' is not one of"),
        ({"ttl": 5}, "dns.ttl: 5 is below 30"),
        ({"nameservers": []}, "dns.nameservers: unknown key"),
    ],
)
def test_bad_dns_settings_name_their_field(change: dict[str, Any], expected: str) -> None:
    errors = _errors({**DNS, **change})
    assert any(e.startswith(expected) for e in errors), errors


@pytest.mark.parametrize("missing", ["domain", "zone", "project"])
def test_domain_zone_and_project_are_required(missing: str) -> None:
    dns = {k: v for k, v in DNS.items() if k != missing}
    assert f"dns.{missing}: required" in _errors(dns)


@pytest.mark.parametrize("stack", ["Ep-42", "ep_42", "ep.42", "-ep"])
def test_a_stack_name_that_makes_an_invalid_label_is_an_error(stack: str) -> None:
    errors = _errors(DNS, stack=stack)
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"stack: {stack!r} is not a DNS label"), errors
    assert "<stack>.klustered.live" in errors[0]


def test_names_longer_than_dns_allows_are_an_error() -> None:
    domain = ".".join(["abcdefghijklmnopqrstuvwxyz0123456789"] * 6) + ".live"
    errors = _errors({**DNS, "domain": domain}, stack="e" * 20)
    assert any(e.startswith("dns.domain: *.teleport.") and "above 253" in e for e in errors), errors


def test_gandi_without_its_token_is_an_error_naming_the_registrar() -> None:
    errors = _errors({**DNS, "registrar": "gandi"})
    assert errors == [
        "dns.registrar: 'gandi' needs the Gandi provider's token: set it with `pulumi config "
        "set --secret gandi:personalAccessToken <token>` (or GANDI_PERSONAL_ACCESS_TOKEN in "
        "the environment of `pulumi up`)"
    ]


@pytest.mark.parametrize("key", ["gandi:personalAccessToken", "gandi:key"])
def test_gandi_with_its_token_in_the_stack_is_valid(key: str) -> None:
    assert _errors({**DNS, "registrar": "gandi"}, **{key: "[secret]"}) == []


def test_gandi_with_its_token_in_the_environment_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GANDI_PERSONAL_ACCESS_TOKEN", "token")
    assert _errors({**DNS, "registrar": "gandi"}) == []


def test_a_bad_dns_section_does_not_hide_other_sections_problems() -> None:
    errors = _errors(
        {**DNS, "domain": "x"}, **{"klustered:teams": [{"name": "blue", "workers": -1}]}
    )
    assert any(e.startswith("dns.domain:") for e in errors)
    assert any(e.startswith("teams[0].workers:") for e in errors)


def test_validate_prints_the_episode_zone(tmp_path: Path) -> None:
    stack = tmp_path / "Pulumi.ep-42.yaml"
    config = {**BASE, "klustered:dns": DNS}
    stack.write_text(yaml.safe_dump({"config": config}), encoding="ascii")
    result = CliRunner().invoke(app, ["validate", str(stack)])
    assert result.exit_code == 0, result.stdout + result.stderr
    assert (
        "DNS: ep-42.klustered.live (DNSSEC), delegated from zone klustered-live (existing, "
        "project klustered-dns); registrar none"
    ) in result.stdout
