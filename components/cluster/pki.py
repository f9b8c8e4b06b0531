"""Pure PKI helpers for kubeadm: CA public-key pins and bootstrap tokens.

Key material itself is generated in the program (pulumi-tls, pulumi-random); these
functions only format and check the plain strings that come out of it.
"""

from __future__ import annotations

import hashlib
import re

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

BOOTSTRAP_TOKEN_RE = re.compile(r"^([a-z0-9]{6})\.([a-z0-9]{16})\Z")
"""kubeadm's bootstrap token format: `<token-id>.<token-secret>`."""

TOKEN_ID_LENGTH = 6
TOKEN_SECRET_LENGTH = 16

_TOKEN_PART = re.compile(r"^[a-z0-9]+\Z")


def ca_cert_hash(cert_pem: str) -> str:
    """kubeadm's CA pin for a PEM certificate: `sha256:<hex sha256 of the DER SPKI>`."""
    cert = x509.load_pem_x509_certificate(cert_pem.encode("ascii"))
    spki = cert.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return "sha256:" + hashlib.sha256(spki).hexdigest()


def format_bootstrap_token(token_id: str, token_secret: str) -> str:
    """Join a 6-character id and a 16-character secret into a kubeadm bootstrap token."""
    token = f"{token_id}.{token_secret}"
    validate_bootstrap_token(token)
    return token


def bootstrap_token_from_random(value: str) -> str:
    """A bootstrap token from 22+ lower-case alphanumerics (e.g. a RandomString result)."""
    if len(value) < TOKEN_ID_LENGTH + TOKEN_SECRET_LENGTH or not _TOKEN_PART.fullmatch(value):
        raise ValueError(
            "bootstrap token source must be at least 22 characters of [a-z0-9], "
            f"got {len(value)} characters"
        )
    return format_bootstrap_token(
        value[:TOKEN_ID_LENGTH], value[TOKEN_ID_LENGTH : TOKEN_ID_LENGTH + TOKEN_SECRET_LENGTH]
    )


def validate_bootstrap_token(token: str) -> str:
    """Return `token` unchanged if it matches `[a-z0-9]{6}.[a-z0-9]{16}`, else raise ValueError."""
    if not BOOTSTRAP_TOKEN_RE.fullmatch(token):
        # Never echo the token itself: it is a secret.
        raise ValueError("bootstrap token must match [a-z0-9]{6}.[a-z0-9]{16}")
    return token


def bootstrap_token_id(token: str) -> str:
    """The public id half of a bootstrap token (the Secret is named `bootstrap-token-<id>`)."""
    return validate_bootstrap_token(token).split(".", 1)[0]


def validate_ca_cert_hash(pin: str) -> str:
    """Return `pin` unchanged if it looks like `sha256:<64 hex>`, else raise ValueError."""
    if not re.fullmatch(r"sha256:[0-9a-f]{64}", pin):
        raise ValueError(f"CA cert hash must be sha256:<64 hex>, got {pin!r}")
    return pin
