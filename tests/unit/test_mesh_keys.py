"""WireGuard keys from 32 seed bytes: clamped like `wg genkey`, public key by X25519."""

from __future__ import annotations

import base64

import pytest

from components.mesh.keys import clamp, key_pair_from_base64, key_pair_from_seed

# RFC 7748 section 6.1: Alice's private scalar and the public key it yields.
RFC7748_PRIVATE = bytes.fromhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
RFC7748_PUBLIC = bytes.fromhex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")


def test_public_key_matches_the_rfc7748_vector() -> None:
    pair = key_pair_from_seed(RFC7748_PRIVATE)

    assert base64.b64decode(pair.public_key) == RFC7748_PUBLIC


def test_private_key_is_clamped_like_wg_genkey() -> None:
    pair = key_pair_from_seed(b"\xff" * 32)
    private = base64.b64decode(pair.private_key)

    assert private[0] == 0xF8
    assert private[31] == 0x7F
    assert private[1:31] == b"\xff" * 30


def test_clamping_leaves_an_already_clamped_key_alone() -> None:
    once = clamp(bytes(range(32)))

    assert clamp(once) == once


def test_seed_from_pulumi_random_base64_gives_the_same_pair() -> None:
    seed = bytes(range(100, 132))

    assert key_pair_from_base64(base64.b64encode(seed).decode()) == key_pair_from_seed(seed)


def test_private_key_is_kept_out_of_the_repr() -> None:
    pair = key_pair_from_seed(RFC7748_PRIVATE)

    assert pair.private_key not in repr(pair)
    assert pair.public_key in repr(pair)


@pytest.mark.parametrize("seed", [b"", b"\x00" * 31, b"\x00" * 33])
def test_a_seed_of_the_wrong_length_is_refused(seed: bytes) -> None:
    with pytest.raises(ValueError, match="needs 32 bytes"):
        key_pair_from_seed(seed)


def test_a_seed_that_is_not_base64_is_refused() -> None:
    with pytest.raises(ValueError, match="not valid base64"):
        key_pair_from_base64("not base64!")
