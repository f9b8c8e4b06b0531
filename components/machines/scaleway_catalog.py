"""What Scaleway Elastic Metal offers, as plain values: zones, offer names, OS families.

Kept apart from `scaleway.py` so that config validation never imports the Scaleway SDK.
"""

from __future__ import annotations

import re

ZONES = ("fr-par-1", "fr-par-2", "nl-ams-1", "nl-ams-2", "pl-waw-2", "pl-waw-3")
"""The zones the Elastic Metal API serves (scaleway-sdk-go, api/baremetal/v1, Zones())."""
DEFAULT_ZONE = "fr-par-2"
DEFAULT_OFFER = "EM-A610R-NVME"
"""AMD Ryzen PRO 3600 (6 cores), 32 GB, 2 x 1 TB NVMe; hourly in fr-par-2."""
DEFAULT_OS = "Ubuntu 24.04 LTS (Noble Numbat)"
OS_USERS = {"Ubuntu": "ubuntu", "Debian": "root"}
"""The login each OS family installs the project SSH keys for (the API's `user` default,
not editable). The phases need apt, so only these two families are offered."""

_OFFER = re.compile(r"^EM-[A-Z0-9]+(-[A-Z0-9]+)+\Z")


def is_offer_name(offer: str) -> bool:
    """True for an Elastic Metal offer name such as EM-A610R-NVME or EM-B112X-SSD."""
    return bool(_OFFER.match(offer))


def split_os(os: str) -> tuple[str, str]:
    """`Ubuntu 24.04 LTS (Noble Numbat)` -> (`Ubuntu`, `24.04 LTS (Noble Numbat)`).

    The name and version exactly as the Elastic Metal API lists them (`scw baremetal os list`).
    """
    name, _, version = os.strip().partition(" ")
    if name not in OS_USERS or not version.strip():
        families = " or ".join(OS_USERS)
        raise ValueError(
            f"{os!r} is not '<{families}> <version as Scaleway lists it>' (e.g. {DEFAULT_OS!r})"
        )
    return name, version.strip()


def os_user(os: str) -> str:
    """The user the OS gives SSH access to: ubuntu on Ubuntu, root on Debian."""
    return OS_USERS[split_os(os)[0]]
