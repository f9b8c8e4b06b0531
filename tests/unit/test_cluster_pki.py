"""PKI helpers: the CA pin kubeadm checks and bootstrap tokens."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from components.cluster.kubernetes_version import KubernetesVersion
from components.cluster.pki import (
    bootstrap_token_from_random,
    bootstrap_token_id,
    ca_cert_hash,
    format_bootstrap_token,
    validate_bootstrap_token,
    validate_ca_cert_hash,
)
from tests.cluster_fixtures import make_ca


def _openssl_pin(cert_pem: str, tmp_path: Path) -> str:
    """The pin as kubeadm's docs compute it with openssl and sha256sum."""
    cert = tmp_path / "ca.crt"
    cert.write_text(cert_pem)
    pipeline = (
        f"openssl x509 -pubkey -noout -in {cert} "
        "| openssl pkey -pubin -outform der | sha256sum | cut -d' ' -f1"
    )
    out = subprocess.run(
        ["bash", "-o", "pipefail", "-c", pipeline], check=True, capture_output=True, text=True
    )
    return "sha256:" + out.stdout.strip()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
@pytest.mark.parametrize("ecdsa", [False, True], ids=["rsa", "ecdsa"])
def test_ca_cert_hash_matches_openssl_spki_digest(ecdsa: bool, tmp_path: Path) -> None:
    cert_pem, _key = make_ca("kubernetes", ecdsa=ecdsa)
    assert ca_cert_hash(cert_pem) == _openssl_pin(cert_pem, tmp_path)


def test_ca_cert_hash_differs_between_cas() -> None:
    first, _ = make_ca("kubernetes")
    second, _ = make_ca("kubernetes")
    assert ca_cert_hash(first) != ca_cert_hash(second)


def test_ca_cert_hash_has_kubeadm_format() -> None:
    cert_pem, _ = make_ca("kubernetes")
    assert validate_ca_cert_hash(ca_cert_hash(cert_pem))


@pytest.mark.parametrize(
    "token", ["abcdef.0123456789abcdef", "0a1b2c.zzzzzzzzzzzzzzzz", "000000.0000000000000000"]
)
def test_valid_bootstrap_tokens_are_accepted(token: str) -> None:
    assert validate_bootstrap_token(token) == token


@pytest.mark.parametrize(
    "token",
    [
        "ABCDEF.0123456789abcdef",  # upper case
        "abcde.0123456789abcdef",  # id too short
        "abcdef.0123456789abcde",  # secret too short
        "abcdef0123456789abcdef",  # no dot
        "abcdef:0123456789abcdef",
        "abcdef.0123456789abcdef\n",
        "abc-ef.0123456789abcdef",
    ],
)
def test_malformed_bootstrap_tokens_are_rejected(token: str) -> None:
    with pytest.raises(ValueError, match=r"\[a-z0-9\]\{6\}"):
        validate_bootstrap_token(token)


def test_rejected_token_is_not_echoed_in_the_error() -> None:
    with pytest.raises(ValueError) as err:
        validate_bootstrap_token("abcdef.0123456789ABCDEF")
    assert "0123456789ABCDEF" not in str(err.value)


def test_token_is_formatted_from_id_and_secret() -> None:
    assert format_bootstrap_token("abcdef", "0123456789abcdef") == "abcdef.0123456789abcdef"
    with pytest.raises(ValueError):
        format_bootstrap_token("abcdefg", "0123456789abcdef")


def test_token_from_random_string_takes_id_then_secret() -> None:
    token = bootstrap_token_from_random("abcdef0123456789abcdefXYZ".lower())
    assert token == "abcdef.0123456789abcdef"
    assert bootstrap_token_id(token) == "abcdef"


@pytest.mark.parametrize("value", ["short", "abcdef0123456789abcde", "ABCDEF0123456789abcdef"])
def test_token_from_random_string_rejects_unusable_input(value: str) -> None:
    with pytest.raises(ValueError):
        bootstrap_token_from_random(value)


@pytest.mark.parametrize(
    ("text", "series", "exact", "package"),
    [
        ("1.34", "v1.34", None, ""),
        ("1.34.2", "v1.34", "v1.34.2", "1.34.2"),
        ("v1.33.10", "v1.33", "v1.33.10", "1.33.10"),
    ],
)
def test_kubernetes_version_minor_or_exact(
    text: str, series: str, exact: str | None, package: str
) -> None:
    version = KubernetesVersion.parse(text)
    assert (version.series, version.exact, version.package_version) == (series, exact, package)


@pytest.mark.parametrize("text", ["2.0", "1", "1.34.2.1", "latest", "1.x"])
def test_kubernetes_version_rejects_other_forms(text: str) -> None:
    with pytest.raises(ValueError, match=r"1\.34"):
        KubernetesVersion.parse(text)
