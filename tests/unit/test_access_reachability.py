"""Who reaches which node, computed from the plan's rendered roles, connector and agent
labels plus the GitHub memberships: each team's guests reach exactly their own nodes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from klustered.plan import Plan, write_plan
from klustered.stackfile import StackFile
from tests.access_fixtures import CLIENT_SECRET, JOIN_TOKEN, access_stack, run_access
from tests.teleport_rbac import labels_match, reachable, roles_of
from tests.teleport_v18 import check_file_config, check_resource

ORG = "klustered-live"


def _three_teams(session_joining: bool) -> dict[str, Any]:
    config = access_stack(sessionJoining=session_joining)
    config["klustered:teams"].append(
        {"name": "blue2", "guests": ["defunkt"], "controlPlanes": 3, "workers": 1}
    )
    return config


@pytest.fixture(scope="module", params=[False, True], ids=["joining-off", "joining-on"])
def plan(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    config = _three_teams(request.param)
    run = run_access(config)
    out = tmp_path_factory.mktemp("plan")
    stack = StackFile("ep42", out / "Pulumi.ep42.yaml", out, {})
    write_plan(Plan(stack, run, dict(run.value)), out)
    members: dict[str, list[str]] = {}
    team_slug = {r.urn: r.inputs["name"] for r in run.by_type("github:index/team:Team")}
    by_id = {f"{r.name}-id": team_slug[r.urn] for r in run.by_type("github:index/team:Team")}
    for reg in run.by_type("github:index/teamMembership:TeamMembership"):
        members.setdefault(reg.inputs["username"], []).append(by_id[reg.inputs["teamId"]])
    (out / "memberships.json").write_text(json.dumps(members))
    return out


def _world(plan: Path) -> tuple[dict[str, Any], dict[str, Any], dict[str, dict[str, str]]]:
    roles: dict[str, Any] = {}
    connector: dict[str, Any] = {}
    for path in sorted((plan / "teleport" / "resources").glob("*.yaml")):
        doc = check_resource(path.read_text())
        if doc["kind"] == "role":
            roles[doc["metadata"]["name"]] = doc
        else:
            connector = doc
    nodes = {
        path.parent.name: check_file_config(path.read_text())["ssh_service"]["labels"]
        for path in plan.glob("*/*/teleport.yaml")
    }
    return roles, connector, nodes


def test_every_node_has_an_agent_config_and_the_server_its_own(plan: Path) -> None:
    _, _, nodes = _world(plan)
    assert len(nodes) == 3 + 1 + 4
    check_file_config((plan / "teleport" / "teleport.yaml").read_text())


def test_each_teams_guests_reach_exactly_their_own_nodes(plan: Path) -> None:
    roles, connector, nodes = _world(plan)
    members = json.loads((plan / "memberships.json").read_text())
    expected = {
        "octocat": {"blue-control-plane-1", "blue-worker-1", "blue-worker-2"},
        "hubot": {"blue-control-plane-1", "blue-worker-1", "blue-worker-2"},
        "monalisa": {"green-control-plane-1"},
        "defunkt": {f"blue2-control-plane-{i}" for i in (1, 2, 3)} | {"blue2-worker-1"},
    }
    for guest, nodes_expected in expected.items():
        held = roles_of(members[guest], connector, ORG)
        assert reachable(held, roles, nodes, "root") == nodes_expected, guest
        assert reachable(held, roles, nodes, "ubuntu") == set(), guest


def test_the_host_reaches_every_node_and_a_stranger_none(plan: Path) -> None:
    roles, connector, nodes = _world(plan)
    members = json.loads((plan / "memberships.json").read_text())
    host = roles_of(members["rawkode"], connector, ORG)
    assert reachable(host, roles, nodes, "root") == set(nodes)
    assert roles_of(["some-other-team"], connector, ORG) == set()
    assert roles_of(members["octocat"], connector, "another-org") == set()


def test_kubernetes_labels_select_only_the_teams_own_cluster(plan: Path) -> None:
    roles, _, _ = _world(plan)
    clusters = {team: {"team": team} for team in ("blue", "green", "blue2")}
    for team in clusters:
        selector = roles[f"team-{team}"]["spec"]["allow"]["kubernetes_labels"]
        assert {c for c, labels in clusters.items() if labels_match(selector, labels)} == {team}


def test_the_plan_shows_no_client_secret_and_no_token(plan: Path) -> None:
    text = (plan / "teleport" / "resources" / "github-github.yaml").read_text()
    assert yaml.safe_load(text)["spec"]["client_secret"] == "[redacted]"
    for path in plan.rglob("*"):
        if path.is_file():
            text = path.read_text()
            assert CLIENT_SECRET not in text and JOIN_TOKEN not in text, path
