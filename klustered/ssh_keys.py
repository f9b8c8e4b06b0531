"""`klustered:sshKey`: the public half of the host-supplied private key, never the key itself."""

from __future__ import annotations

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from klustered.config.secrets import SECRET_PLACEHOLDER

__all__ = ["SECRET_PLACEHOLDER", "SshKeyError", "public_key_of", "public_key_recipe"]


class SshKeyError(ValueError):
    """The text is not a private key the episode can use (the message never holds the text)."""


def public_key_of(private_key: str) -> str:
    """The OpenSSH public key (`ssh-ed25519 AAAA...`) of an unencrypted private key.

    Accepts the OpenSSH format (`ssh-keygen`'s default) and PEM (PKCS#1, SEC1, PKCS#8):
    what pulumi-command's SSH client reads. Ed25519, ECDSA and RSA keys.
    """
    if not private_key.isascii():
        raise SshKeyError("is not a private key: it holds non-ASCII characters")
    data = private_key.strip().encode("ascii") + b"\n"
    if b"-----BEGIN" not in data or b"PRIVATE KEY-----" not in data:
        raise SshKeyError("is not a private key (OpenSSH or PEM text expected)")
    key: object
    try:
        if b"BEGIN OPENSSH PRIVATE KEY" in data:
            key = serialization.load_ssh_private_key(data, password=None)
        else:
            key = serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise SshKeyError(
            "is encrypted with a passphrase: give the key without one (kept as a Pulumi secret)"
        ) from None
    except (ValueError, UnsupportedAlgorithm):
        raise SshKeyError("is not a readable private key (OpenSSH or PEM)") from None
    if not isinstance(
        key, ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    ):
        raise SshKeyError("is not an Ed25519, ECDSA or RSA private key")
    public = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    return public.decode("ascii")


def public_key_recipe(stack: str) -> str:
    """How to print the public key of an encrypted `klustered:sshKey` (validate cannot)."""
    return f"pulumi config get klustered:sshKey -s {stack} | ssh-keygen -y -f /dev/stdin"
