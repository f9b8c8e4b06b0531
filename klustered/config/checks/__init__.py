"""Cross-field rules of the stack config; each reads sections that validated on their own.

A new rule is a function decorated with `@rule(<sections it reads>)` in a module of this
package, listed in ERRORS (the stack is refused) or WARNINGS (the stack is valid, the user
is told).
"""

from klustered.config.checks import access, breaks, dns, expiry, machines, networks, teams
from klustered.config.checks.base import CheckContext, Rule, rule, run_rules

ERRORS: tuple[Rule, ...] = (
    teams.unique_names,
    teams.nodes_within_bounds,
    networks.ranges_do_not_overlap,
    networks.mesh_holds_every_node,
    networks.pod_range_holds_every_node,
    networks.ranges_clear_of_node_networks,
    networks.host_addresses_are_usable,
    machines.substrate_settings,
    machines.existing_hosts,
    machines.mesh_mtu_fits_the_underlay,
    machines.equinix_metal_loads,
    machines.teleport_machine_substrate,
    breaks.break_refs,
    access.access_settings,
    dns.stack_makes_valid_names,
    dns.registrar_has_its_token,
)
"""Rules whose problems refuse the stack."""

WARNINGS: tuple[Rule, ...] = (
    expiry.expiry_in_range,
    access.guests_without_access,
    networks.ranges_are_private,
    machines.equinix_metal_closed,
    machines.ssh_key_is_secret,
    breaks.breaks_fit_the_baseline,
)
"""Rules whose problems are printed, and the stack still validates."""

__all__ = ["ERRORS", "WARNINGS", "CheckContext", "Rule", "rule", "run_rules"]
