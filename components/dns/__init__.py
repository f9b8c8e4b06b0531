"""DNS for an episode: a DNSSEC-signed Cloud DNS zone `<stack>.<domain>` delegated with
NS + DS from the apex, names per team and for Teleport, and optionally the apex itself."""

from components.dns.apex import ApexZone, ApexZoneArgs, Registrar
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
from components.dns.zone import EpisodeZone, EpisodeZoneArgs, TeamRecordsArgs

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
