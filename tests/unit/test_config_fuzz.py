"""A bounded, deterministic fuzz of the stack config: no traceback, no hang, every refusal
names its field in one printable line.

Hypothesis builds config structures two ways: arbitrary JSON-like values under real and
near-miss keys, and a valid stack with one leaf replaced by something hostile. The run is
derandomized (the same examples every time) and bounded (max_examples, deadline).
"""

from __future__ import annotations

import copy
import re
import string
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.strict_yaml import YamlError, load_yaml
from klustered.config import check_stack_config

FUZZ = settings(
    max_examples=150,
    deadline=2000,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
PRINTABLE_LINE = re.compile(r"[\x20-\x7e]+\Z")

hostile_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "", " ", "blue\n", "\x1b[2J", "a" * 5000, "../../etc/passwd", "$(reboot)",
            "1.34\n", "10.0.0.0/8", "0.0.0.0/0", "127.0.0.1/8", "fd00::/8", "\u202eeulb",
            "Blue", "-", "yes", "2026-02-31T00:00:00Z", "[secret]", "\x00",
        ]
    ),
)  # fmt: skip
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    hostile_text,
)
KEYS = [
    "name", "workers", "controlPlanes", "guests", "machines", "workerMachines", "breaks",
    "provider", "gcp", "project", "zone", "machineType", "image", "network", "equinixMetal",
    "metro", "plan", "os", "version", "podCidr", "serviceCidr", "enabled", "cidr", "port",
    "mtu", "keepalive", "id", "path", "inline", "targets", "params", "rehearse", "files",
    "title", "difficulty", "prompt", "secret", "unicode", "hosts", "address",
    "privateAddress", "user", "scaleway", "offer", "control-plane-1", "worker-1",
]  # fmt: skip
json_like = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), hostile_text), inner, max_size=4),
    ),
    max_leaves=20,
)
SECTIONS = [
    "klustered:teams", "klustered:kubernetes", "klustered:machines", "klustered:mesh",
    "klustered:workload", "klustered:expires", "klustered:dns", "klustered:access",
    "klustered:teamz", "klusterd:teams", "Klustered:mesh", "gcp:project", "klustered:sshKey",
]  # fmt: skip

VALID: dict[str, Any] = {
    "klustered:machines": {"provider": "gcp", "gcp": {"project": "test-project"}},
    "klustered:kubernetes": {"version": "1.34", "podCidr": "10.244.0.0/16"},
    "klustered:mesh": {"enabled": True, "cidr": "10.254.0.0/24", "port": 51820},
    "klustered:teams": [
        {"name": "blue", "guests": ["octocat"], "controlPlanes": 3, "workers": 2,
         "breaks": [{"id": "kubelet-maxpods", "targets": "workers", "params": {"maxPods": 1}}]},
        {"name": "green", "machines": {"gcp": {"zone": "europe-west4-b"}}},
    ],
}  # fmt: skip


def _check(raw: dict[str, Any], tmp: Path) -> None:
    result = check_stack_config(raw, tmp, stack="fuzz")
    for problem in [*result.errors, *result.warnings]:
        text = str(problem)
        assert problem.path, f"a problem without a field: {text}"
        assert PRINTABLE_LINE.match(text), repr(text)
        assert len(text) < 2000, text[:200]
    assert (result.config is None) == bool(result.errors)


@FUZZ
@given(st.dictionaries(st.sampled_from(SECTIONS), json_like, max_size=6))
def test_any_structure_is_refused_cleanly(tmp_path_factory: Any, raw: dict[str, Any]) -> None:
    _check(raw, tmp_path_factory.mktemp("fuzz"))


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out += _paths(item, (*path, i))
    return out


@FUZZ
@given(st.data())
def test_a_valid_stack_with_one_hostile_leaf_is_refused_cleanly(
    tmp_path_factory: Any, data: st.DataObject
) -> None:
    raw = copy.deepcopy(VALID)
    paths = [p for p in _paths(raw) if p]
    path = data.draw(st.sampled_from(paths))
    target: Any = raw
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = data.draw(json_like)
    _check(raw, tmp_path_factory.mktemp("fuzz"))


@FUZZ
@given(st.text(alphabet=string.printable + "&*[]{}!|>'\"%@`", max_size=200))
def test_any_text_parses_or_is_refused_with_a_reason(text: str) -> None:
    try:
        load_yaml("config:\n  klustered:teams:\n" + text)
    except YamlError as exc:
        assert PRINTABLE_LINE.match(str(exc)), repr(str(exc))
