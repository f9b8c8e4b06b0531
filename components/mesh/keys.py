"""WireGuard key pairs derived from 32 stable random bytes (pulumi-random in the program)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

KEY_LENGTH = 32
"""Bytes in a Curve25519 key."""


@dataclass(frozen=True)
class WireGuardKeyPair:
    """A node's WireGuard keys, both base64 as `wg genkey` / `wg pubkey` print them."""

    private_key: str = field(repr=False)
    public_key: str


def clamp(seed: bytes) -> bytes:
    """Return `seed` clamped into a Curve25519 private scalar, exactly as `wg genkey` does."""
    if len(seed) != KEY_LENGTH:
        raise ValueError(f"a WireGuard key needs {KEY_LENGTH} bytes, got {len(seed)}")
    key = bytearray(seed)
    key[0] &= 248
    key[31] = (key[31] & 127) | 64
    return bytes(key)


def key_pair_from_seed(seed: bytes) -> WireGuardKeyPair:
    """The WireGuard key pair whose private key is `seed`, clamped."""
    private = clamp(seed)
    public = X25519PrivateKey.from_private_bytes(private).public_key().public_bytes_raw()
    return WireGuardKeyPair(
        private_key=base64.b64encode(private).decode("ascii"),
        public_key=base64.b64encode(public).decode("ascii"),
    )


def key_pair_from_base64(seed_b64: str) -> WireGuardKeyPair:
    """The key pair for a base64 seed, such as `pulumi_random.RandomBytes(...).base64`."""
    try:
        seed = base64.b64decode(seed_b64, validate=True)
    except binascii.Error as exc:
        raise ValueError("WireGuard key seed is not valid base64") from exc
    return key_pair_from_seed(seed)


def is_wireguard_key(text: str) -> bool:
    """True when `text` is a base64 32-byte key as WireGuard writes it."""
    try:
        return len(base64.b64decode(text, validate=True)) == KEY_LENGTH and len(text) == 44
    except binascii.Error:
        return False
