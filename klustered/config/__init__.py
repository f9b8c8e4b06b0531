"""The stack-config contract: pydantic models for the `klustered:*` keys and their rules.

`validate_stack_config` turns the raw key/value map of a stack into a `StackConfig`, or
raises `StackConfigError` carrying every error at once, each naming its field path and
the offending value (`teams[1].workers: -1 is below 0`). `check_stack_config` returns
errors and warnings without raising. One module per section; cross-field rules live in
`klustered.config.checks`.
"""

from klustered.config.access import AccessConfig, TeleportConfig
from klustered.config.dns import DnsConfig
from klustered.config.errors import ConfigError, ConfigWarning, StackConfigError, show
from klustered.config.kubernetes import NEWEST_MINOR, OLDEST_MINOR, KubernetesConfig
from klustered.config.machines import (
    EquinixMetalConfig,
    EquinixMetalOverride,
    GcpConfig,
    GcpOverride,
    HostConfig,
    MachinesConfig,
    MachinesOverride,
    Provider,
    ScalewayConfig,
    ScalewayOverride,
)
from klustered.config.mesh import MeshConfig
from klustered.config.stack import NAMESPACE, StackConfig, host_key
from klustered.config.teams import TARGET_WORDS, BreakRef, ParamValue, Targets, TeamConfig
from klustered.config.validate import Validation, check_stack_config, validate_stack_config
from klustered.config.workload import WorkloadConfig

__all__ = [
    "NAMESPACE",
    "NEWEST_MINOR",
    "OLDEST_MINOR",
    "TARGET_WORDS",
    "AccessConfig",
    "BreakRef",
    "ConfigError",
    "ConfigWarning",
    "DnsConfig",
    "EquinixMetalConfig",
    "EquinixMetalOverride",
    "GcpConfig",
    "GcpOverride",
    "HostConfig",
    "KubernetesConfig",
    "MachinesConfig",
    "MachinesOverride",
    "MeshConfig",
    "ParamValue",
    "Provider",
    "ScalewayConfig",
    "ScalewayOverride",
    "StackConfig",
    "StackConfigError",
    "Targets",
    "TeamConfig",
    "TeleportConfig",
    "Validation",
    "WorkloadConfig",
    "check_stack_config",
    "host_key",
    "show",
    "validate_stack_config",
]
