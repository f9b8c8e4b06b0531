"""DNS for an episode: a DNSSEC-signed Cloud DNS zone `<stack>.<domain>` delegated with
NS + DS from the apex, names per team and for Teleport, and optionally the apex itself.

Public names load their module on first use (the name rules import without the SDKs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from components.dns.apex import (
        ApexZone,
        ApexZoneArgs,
        Registrar,
    )
    from components.dns.keys import (
        ALGORITHM_NUMBERS,
        NoActiveKeyError,
        SigningKey,
        active_ds_records,
        registrar_key,
    )
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
    from components.dns.zone import (
        EpisodeZone,
        EpisodeZoneArgs,
        TeamRecordsArgs,
    )

_EXPORTS = {
    "ApexZone": "components.dns.apex",
    "ApexZoneArgs": "components.dns.apex",
    "Registrar": "components.dns.apex",
    "ALGORITHM_NUMBERS": "components.dns.keys",
    "NoActiveKeyError": "components.dns.keys",
    "SigningKey": "components.dns.keys",
    "active_ds_records": "components.dns.keys",
    "registrar_key": "components.dns.keys",
    "api_name": "components.dns.names",
    "app_name": "components.dns.names",
    "dns_name_problem": "components.dns.names",
    "episode_domain": "components.dns.names",
    "label_problem": "components.dns.names",
    "managed_zone_name": "components.dns.names",
    "teleport_name": "components.dns.names",
    "teleport_wildcard": "components.dns.names",
    "EpisodeZone": "components.dns.zone",
    "EpisodeZoneArgs": "components.dns.zone",
    "TeamRecordsArgs": "components.dns.zone",
}
__all__ = [
    "ALGORITHM_NUMBERS",
    "ApexZone",
    "ApexZoneArgs",
    "EpisodeZone",
    "EpisodeZoneArgs",
    "NoActiveKeyError",
    "Registrar",
    "SigningKey",
    "TeamRecordsArgs",
    "active_ds_records",
    "api_name",
    "app_name",
    "dns_name_problem",
    "episode_domain",
    "label_problem",
    "managed_zone_name",
    "registrar_key",
    "teleport_name",
    "teleport_wildcard",
]


__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)
