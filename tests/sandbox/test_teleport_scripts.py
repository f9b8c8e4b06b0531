"""The Teleport scripts run for real in a sandboxed machine (bubblewrap, recorder stubs):
the agent phase joins once and is a no-op on a re-run, re-joins a new cluster, recovers
from an expired token; the server install is idempotent; the token step prints only the
token and pins; resources are applied and removed (roles even while a user holds them)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from components.teleport.agent_config import AgentSpec, JoinTarget, render_agent_config
from components.teleport.resources import github_connector, render_resource, team_role
from components.teleport.script_text import (
    render_agent_phase,
    render_resource_script,
    render_server_script,
    render_token_script,
)
from components.teleport.server_config import ServerSpec, render_server_config
from components.teleport.version import TeleportVersion
from tests.teleport_sandbox import TeleportSandbox
from tests.tools import bwrap_missing

_REASON = bwrap_missing()
pytestmark = [pytest.mark.sandbox, pytest.mark.skipif(_REASON is not None, reason=_REASON or "")]

VERSION = TeleportVersion.parse("18.8.2")
TOKEN = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
PIN = "sha256:" + "1" * 64
OTHER_PIN = "sha256:" + "2" * 64


@pytest.fixture
def box(tmp_path: Path) -> Iterator[TeleportSandbox]:
    # Everything lives under tmp_path; bwrap dies with its parent.
    yield TeleportSandbox.create(tmp_path / "machine", token=TOKEN, pins=[PIN])


def agent_phase(token: str, pins: list[str], *, timeout: int = 6) -> str:
    target = JoinTarget.for_server("203.0.113.7", acme=False)
    config = render_agent_config(AgentSpec("blue-worker-1", target, {"team": "blue"}))
    text = render_agent_phase(
        node="blue-worker-1",
        version=VERSION,
        config=config,
        join_output="\n".join([token, *pins]) + "\n",
    )
    return text.replace("export READY_TIMEOUT=300", f"export READY_TIMEOUT={timeout}")


def test_agent_phase_joins_then_a_rerun_changes_nothing(box: TeleportSandbox) -> None:
    first = box.run(agent_phase(TOKEN, [PIN]))
    assert first.returncode == 0, first.stderr
    token_file = box.root / "etc" / "teleport" / "join-token"
    assert token_file.read_text() == TOKEN + "\n"
    assert oct(token_file.stat().st_mode & 0o777) == "0o600"
    assert (box.root / "etc" / "teleport" / "ca-pins").read_text() == PIN + "\n"
    assert (
        "apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "
        "--allow-change-held-packages --allow-downgrades teleport=18.8.2" in box.calls()
    )
    assert "systemctl restart teleport" in box.calls()
    assert TOKEN not in first.stdout + first.stderr

    before = box.snapshot()
    box.reset_calls()
    again = box.run(agent_phase(TOKEN, [PIN]))
    assert again.returncode == 0, again.stderr
    assert box.mutating_calls() == []
    assert box.snapshot() == before


def test_a_new_token_for_a_joined_node_does_not_restart_it(box: TeleportSandbox) -> None:
    assert box.run(agent_phase(TOKEN, [PIN])).returncode == 0
    box.reset_calls()
    box.set_cluster(token="a" * 32, pins=[PIN])
    done = box.run(agent_phase("a" * 32, [PIN]))
    assert done.returncode == 0, done.stderr
    assert "systemctl restart teleport" not in box.calls()


def test_a_node_of_another_cluster_is_reset_and_joins_this_one(box: TeleportSandbox) -> None:
    assert box.run(agent_phase(TOKEN, [PIN])).returncode == 0
    box.set_cluster(token="b" * 32, pins=[OTHER_PIN])
    box.reset_calls()
    done = box.run(agent_phase("b" * 32, [OTHER_PIN]))
    assert done.returncode == 0, done.stderr
    assert "systemctl stop teleport" in box.calls()
    identity = box.root / "var" / "lib" / "teleport" / "identity"
    assert identity.read_text() == OTHER_PIN + "\n"


def test_an_expired_token_fails_loudly_and_a_fresh_one_recovers(box: TeleportSandbox) -> None:
    box.set_cluster(token="c" * 32, pins=[PIN])  # the cluster no longer accepts TOKEN
    failed = box.run(agent_phase(TOKEN, [PIN], timeout=4))
    assert failed.returncode != 0
    assert "did not join within 4s" in failed.stderr
    assert TOKEN not in failed.stdout + failed.stderr
    done = box.run(agent_phase("c" * 32, [PIN]))
    assert done.returncode == 0, done.stderr
    assert (box.root / "var" / "lib" / "teleport" / "identity").exists()


def test_a_join_output_without_a_token_is_refused(box: TeleportSandbox) -> None:
    done = box.run(agent_phase("", [PIN]))
    assert done.returncode != 0
    assert "holds no token" in done.stderr
    assert box.mutating_calls() == []


def server_script(cluster: str) -> str:
    config = render_server_config(ServerSpec(cluster, "203.0.113.7"))
    text = render_server_script(VERSION, config, cluster)
    return text.replace("export READY_TIMEOUT=300", "export READY_TIMEOUT=6")


def test_server_install_waits_for_tctl_and_a_rerun_changes_nothing(
    box: TeleportSandbox,
) -> None:
    first = box.run(server_script("klustered-ep42"))
    assert first.returncode == 0, first.stderr
    assert "tctl status" in box.calls()
    assert (box.root / "etc" / "teleport.yaml").stat().st_mode & 0o777 == 0o600
    before = box.snapshot()
    box.reset_calls()
    assert box.run(server_script("klustered-ep42")).returncode == 0
    assert box.mutating_calls() == []
    assert box.snapshot() == before


def test_a_new_cluster_name_starts_a_new_cluster(box: TeleportSandbox) -> None:
    assert box.run(server_script("klustered-ep42")).returncode == 0
    stale = box.root / "var" / "lib" / "teleport" / "stale-ca"
    stale.write_text("old")
    box.reset_calls()
    assert box.run(server_script("teleport.ep42.klustered.live")).returncode == 0
    assert not stale.exists()
    assert "systemctl stop teleport" in box.calls()


def test_token_step_prints_only_the_token_and_the_pins(box: TeleportSandbox) -> None:
    box.set_cluster(token=TOKEN, pins=[PIN, OTHER_PIN])
    (box.state / "auth-up").write_text("")
    done = box.run(render_token_script())
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{TOKEN}\n{PIN}\n{OTHER_PIN}\n"
    assert "tctl tokens add --type=node --ttl=30m --format=text" in box.calls()


def resource(ref: str, doc: str) -> str:
    return render_resource_script(doc, ref).replace(
        "export READY_TIMEOUT=300", "export READY_TIMEOUT=4"
    )


def test_resources_are_applied_and_removed_even_while_a_user_holds_the_role(
    box: TeleportSandbox,
) -> None:
    (box.state / "auth-up").write_text("")
    role = render_resource(team_role("blue", all_teams=["blue"], session_joining=False))
    assert box.run(resource("role/team-blue", role), "apply").returncode == 0
    assert (box.state / "resources" / "role-team-blue").read_text() == role
    users = [
        {"metadata": {"name": "octocat"}, "spec": {"roles": ["team-blue"]}},
        {"metadata": {"name": "rawkode"}, "spec": {"roles": ["klustered-host"]}},
    ]
    (box.state / "users.json").write_text(json.dumps(users))
    removed = box.run(resource("role/team-blue", role), "remove")
    assert removed.returncode == 0, removed.stderr
    assert not (box.state / "resources" / "role-team-blue").exists()
    left = json.loads((box.state / "users.json").read_text())
    assert [u["metadata"]["name"] for u in left] == ["rawkode"]
    box.reset_calls()
    assert box.run(resource("role/team-blue", role), "remove").returncode == 0
    assert box.mutating_calls() == []


def test_the_connector_secret_never_stays_on_the_server_disk(box: TeleportSandbox) -> None:
    (box.state / "auth-up").write_text("")
    from components.teleport.resources import ConnectorSpec

    spec = ConnectorSpec("org", "Iv1.0", "https://x/v1/webapi/github/callback", {}, "ep42-hosts")
    doc = render_resource(github_connector(spec, "gh-oauth-secret-5f1c0d9e"))
    done = box.run(resource("github/github", doc), "apply")
    assert done.returncode == 0, done.stderr
    # Only the root-only secret directory the node helpers make is left on /run, empty.
    assert [p for p in (box.root / "run").rglob("*") if not p.is_dir()] == []
    assert [p.relative_to(box.root) for p in (box.root / "run").iterdir()] == [
        Path("run/klustered")
    ]
    assert (box.root / "run/klustered").stat().st_mode & 0o777 == 0o700
    on_disk = [
        p for p in box.root.rglob("*") if p.is_file() and b"gh-oauth-secret" in p.read_bytes()
    ]
    assert on_disk == []
    assert "gh-oauth-secret" not in done.stdout + done.stderr


def test_resource_steps_wait_for_the_auth_service_and_then_fail(box: TeleportSandbox) -> None:
    done = box.run(resource("role/team-blue", "kind: role\n"), "apply")
    assert done.returncode != 0
    assert "cannot reach the auth service after 4s" in done.stderr
