"""Names in the episode zone, DNS name checks, and which keys a parent publishes."""

from __future__ import annotations

import re

import pytest

from components.dns.keys import NoActiveKeyError, SigningKey, active_ds_records, registrar_key
from components.dns.names import (
    api_name,
    app_name,
    dns_name_problem,
    episode_domain,
    label_problem,
    managed_zone_name,
    teleport_name,
    teleport_wildcard,
)

CLOUD_DNS_ZONE_NAME = re.compile(r"^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")


def test_every_name_lives_under_stack_dot_domain() -> None:
    assert episode_domain("ep-42", "klustered.live.") == "ep-42.klustered.live"
    assert api_name("blue", "ep-42", "klustered.live") == "api.blue.ep-42.klustered.live"
    assert app_name("blue", "ep-42", "klustered.live") == "blue.ep-42.klustered.live"
    assert teleport_name("ep-42", "klustered.live") == "teleport.ep-42.klustered.live"
    assert teleport_wildcard("ep-42", "klustered.live") == "*.teleport.ep-42.klustered.live"


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("klustered.live", None),
        ("klustered.live.", None),
        ("a-b.example.co.uk", None),
        ("", "it is empty"),
        ("live", "it needs at least two labels"),
        ("Klustered.live", "the label 'Klustered' is not a DNS label"),
        ("klustered..live", "it has an empty label"),
        ("-klustered.live", "the label '-klustered' is not a DNS label"),
        ("klustered.123", "it ends in an all-numeric label"),
        (f"{'a' * 64}.live", "is longer than 63 characters"),
        (".".join(["abcdefghi"] * 26), "it is longer than 253 characters"),
        ("kl_ustered.live", "the label 'kl_ustered' is not a DNS label"),
    ],
)
def test_a_domain_must_be_a_host_name(name: str, problem: str | None) -> None:
    found = dns_name_problem(name)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


@pytest.mark.parametrize("label", ["Ep-42", "ep_42", "-ep", "ep-", "", "e" * 64])
def test_a_stack_name_that_is_not_a_label_is_refused(label: str) -> None:
    assert label_problem(label) is not None


@pytest.mark.parametrize(
    ("stack", "domain", "expected"),
    [
        ("ep-42", "klustered.live", "ep-42-klustered-live"),
        ("42", "klustered.live", "k-42-klustered-live"),
    ],
)
def test_the_managed_zone_name_follows_stack_and_domain(
    stack: str, domain: str, expected: str
) -> None:
    assert managed_zone_name(stack, domain) == expected


def test_a_long_managed_zone_name_is_cut_to_63_with_a_stable_hash() -> None:
    a = managed_zone_name("episode-" + "x" * 50, "klustered.live")
    b = managed_zone_name("episode-" + "x" * 51, "klustered.live")
    assert len(a) <= 63 and len(b) <= 63
    assert CLOUD_DNS_ZONE_NAME.match(a) and CLOUD_DNS_ZONE_NAME.match(b)
    assert a != b
    assert a == managed_zone_name("episode-" + "x" * 50, "klustered.live")


def _key(tag: int, active: bool, algorithm: str = "ecdsap256sha256") -> SigningKey:
    return SigningKey(
        key_tag=tag,
        algorithm=algorithm,
        public_key=f"KEY{tag}",
        ds_record=f"{tag} 13 2 {tag:064x}",
        is_active=active,
    )


def test_the_parent_publishes_every_active_ksk_and_no_inactive_one() -> None:
    keys = [_key(3, True), _key(1, False), _key(2, True)]
    assert active_ds_records("ep.example.org", keys) == [
        f"2 13 2 {2:064x}",
        f"3 13 2 {3:064x}",
    ]


@pytest.mark.parametrize("keys", [[], [_key(1, False)]], ids=["no keys", "inactive only"])
def test_no_active_ksk_publishes_no_ds(keys: list[SigningKey]) -> None:
    with pytest.raises(NoActiveKeyError, match=r"ep\.example\.org has no active key-signing key"):
        active_ds_records("ep.example.org", keys)


def test_the_registrar_gets_the_one_active_ksk_with_its_iana_number() -> None:
    assert registrar_key("example.org", [_key(1, False), _key(2, True)]) == (13, "KEY2")
    rsa = _key(4, True, algorithm="rsasha256")
    assert registrar_key("example.org", [rsa]) == (8, "KEY4")


def test_two_active_ksks_at_the_registrar_are_a_rollover_done_by_hand() -> None:
    with pytest.raises(ValueError, match=r"2 active key-signing keys \(1, 2\).*rollover"):
        registrar_key("example.org", [_key(1, True), _key(2, True)])
    with pytest.raises(NoActiveKeyError):
        registrar_key("example.org", [_key(1, False)])
