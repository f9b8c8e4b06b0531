"""Cloud DNS pieces both zones share: the DNSSEC settings and a zone's key-signing keys."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_gcp as gcp

from components.dns.keys import KEY_ALGORITHM, KEY_LENGTH, SigningKey


def dnssec_config() -> gcp.dns.ManagedZoneDnssecConfigArgs:
    """DNSSEC on, NSEC3 denial, ECDSA P-256 key- and zone-signing keys.

    Cloud DNS only lets key specs and the denial type change while DNSSEC is off.
    """
    return gcp.dns.ManagedZoneDnssecConfigArgs(
        state="on",
        non_existence="nsec3",
        default_key_specs=[
            gcp.dns.ManagedZoneDnssecConfigDefaultKeySpecArgs(
                algorithm=KEY_ALGORITHM, key_length=KEY_LENGTH, key_type=key_type
            )
            for key_type in ("keySigning", "zoneSigning")
        ],
    )


def key_signing_keys(
    zone_id: pulumi.Input[str],
    project: pulumi.Input[str],
    opts: pulumi.InvokeOutputOptions,
) -> pulumi.Output[list[SigningKey]]:
    """The zone's key-signing keys, read once the zone exists (its id is known).

    The lookup takes the zone's id, so it waits for the zone and, in a preview of a new
    zone, stays unknown instead of asking for keys that do not exist yet.
    """
    result = gcp.dns.get_keys_output(managed_zone=zone_id, project=project, opts=opts)
    return result.apply(lambda r: [_signing_key(k) for k in r.key_signing_keys or []])


def _signing_key(key: Any) -> SigningKey:
    return SigningKey(
        key_tag=int(key.key_tag),
        algorithm=str(key.algorithm),
        public_key=str(key.public_key),
        ds_record=str(key.ds_record or ""),
        is_active=bool(key.is_active),
    )
