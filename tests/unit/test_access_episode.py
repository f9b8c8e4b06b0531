"""Guest access under the mock engine: what a guest edit touches, where secrets travel,
how tokens are issued and how the Teleport resources are wired."""

from __future__ import annotations

import json
from typing import Any

import yaml

from klustered.offline import Registration, mask_secrets
from klustered.plan import OfflineRun
from tests.access_fixtures import (
    CA_PIN,
    CLIENT_SECRET,
    JOIN_TOKEN,
    access_stack,
    run_access,
    with_guests,
)

COMMAND = "command:remote:Command"


def _by_urn(run: OfflineRun) -> dict[str, Registration]:
    return {r.urn: r for r in run.registrations}


def _commands(run: OfflineRun, suffix: str) -> list[Registration]:
    return [r for r in run.by_type(COMMAND) if r.name.endswith(suffix)]


def _teleport_tokens(run: OfflineRun) -> list[Registration]:
    """The Teleport join-token steps (the cluster has bootstrap-token steps of its own)."""
    return [r for r in _commands(run, "-join-token") if "-teleport-agents-" in r.name]


def test_guest_edit_changes_only_github_team_memberships() -> None:
    before = access_stack()
    after = with_guests(before, 0, ["octocat", "defunkt"])
    a, b = _by_urn(run_access(before)), _by_urn(run_access(after))
    changed = {u for u in a.keys() & b.keys() if a[u].raw_inputs != b[u].raw_inputs}
    added, removed = b.keys() - a.keys(), a.keys() - b.keys()
    assert changed == set()
    assert [b[u].name for u in added] == ["episode-github-blue-member-defunkt"]
    assert [a[u].name for u in removed] == ["episode-github-blue-member-hubot"]
    for urn in added | removed:
        assert (b.get(urn) or a[urn]).type == "github:index/teamMembership:TeamMembership"


def test_no_plain_input_anywhere_holds_the_client_secret_or_a_token() -> None:
    run = run_access(access_stack())
    for reg in run.registrations:
        shown = json.dumps(mask_secrets(reg.raw_inputs))
        assert CLIENT_SECRET not in shown, reg.name
        assert JOIN_TOKEN not in shown, reg.name
    # Not vacuous: both do reach the server and the nodes, inside secrets.
    connector = run.named("episode-teleport-github-github")
    assert CLIENT_SECRET in connector.inputs["stdin"]
    phases = _commands(run, "-15-teleport-agent")
    assert len(phases) == 4
    for phase in phases:
        assert JOIN_TOKEN in phase.inputs["stdin"] and CA_PIN in phase.inputs["stdin"]
        assert "stdin" in phase.secret_inputs


def test_machines_and_command_strings_never_hold_a_secret() -> None:
    run = run_access(access_stack())
    for reg in run.registrations:
        if reg.type == COMMAND:
            for field in ("create", "delete", "update"):
                text = str(reg.inputs.get(field) or "")
                assert CLIENT_SECRET not in text and JOIN_TOKEN not in text, reg.name
        if reg.type == "gcp:compute/instance:Instance":
            assert CLIENT_SECRET not in json.dumps(reg.inputs), reg.name
            assert JOIN_TOKEN not in json.dumps(reg.inputs), reg.name


def test_token_step_runs_secret_with_logging_off_and_no_delete() -> None:
    run = run_access(access_stack())
    tokens = _teleport_tokens(run)
    assert sorted(t.name for t in tokens) == [
        "episode-blue-teleport-agents-blue-control-plane-1-join-token",
        "episode-blue-teleport-agents-blue-worker-1-join-token",
        "episode-blue-teleport-agents-blue-worker-2-join-token",
        "episode-green-teleport-agents-green-control-plane-1-join-token",
    ]
    for token in tokens:
        assert "stdin" in token.secret_inputs
        assert token.inputs["logging"] == "none"
        assert token.inputs["addPreviousOutputInEnv"] is False
        assert {"stderr", "stdout"} <= set(token.options["additionalSecretOutputs"])
        assert "delete" not in token.inputs
        assert 'tctl tokens add --type=node --ttl="$TOKEN_TTL"' in token.inputs["stdin"]
        assert "export TOKEN_TTL=30m" in token.inputs["stdin"]


def test_token_step_waits_for_the_server_and_runs_on_it() -> None:
    run = run_access(access_stack())
    install = run.named("episode-teleport-install")
    server = run.named("episode-teleport-machine-instance")
    for token in _teleport_tokens(run):
        assert install.urn in token.dependencies
        assert token.options["deletedWith"] == server.urn
        assert token.inputs["connection"]["host"] == install.inputs["connection"]["host"]


def test_agent_phase_runs_after_os_prep_with_the_token_on_stdin() -> None:
    run = run_access(access_stack())
    phase = run.named("episode-blue-cluster-blue-worker-1-15-teleport-agent")
    prep = run.named("episode-blue-cluster-blue-worker-1-10-os-prep")
    containerd = run.named("episode-blue-cluster-blue-worker-1-20-containerd")
    token = run.named("episode-blue-teleport-agents-blue-worker-1-join-token")
    assert prep.urn in phase.dependencies
    assert phase.urn in containerd.dependencies
    assert token.urn in phase.property_dependencies["stdin"]
    assert phase.inputs["logging"] == "none"
    assert {"stderr", "stdout"} <= set(phase.options["additionalSecretOutputs"])


def test_a_node_added_later_gets_its_own_new_token_and_nobody_else_changes() -> None:
    small = access_stack()
    big = json.loads(json.dumps(small))
    big["klustered:teams"][1]["workers"] = 1
    a, b = _by_urn(run_access(small)), _by_urn(run_access(big))
    tokens = {r.urn for r in _teleport_tokens(run_access(big))}
    new_tokens = [b[u].name for u in b.keys() - a.keys() if u in tokens]
    assert new_tokens == ["episode-green-teleport-agents-green-worker-1-join-token"]
    for urn in a.keys() & b.keys():
        if urn in tokens or "teleport-agent" in a[urn].name:
            assert a[urn].raw_inputs == b[urn].raw_inputs, a[urn].name


def test_a_replaced_node_machine_triggers_a_new_token() -> None:
    run = run_access(access_stack())
    token = run.named("episode-blue-teleport-agents-blue-worker-1-join-token")
    instance = run.named("episode-blue-worker-1-instance")
    server = run.named("episode-teleport-machine-instance")
    triggers = token.inputs["triggers"]
    assert triggers[0] == "episode-blue-worker-1-instance-id"  # the node machine's id
    assert triggers[1].startswith("klustered-ep42@")  # the cluster on its server's address
    assert instance.urn in token.property_dependencies["triggers"]
    assert server.urn in token.property_dependencies["triggers"]


def test_connector_is_applied_after_the_roles_with_its_secret_on_stdin_only() -> None:
    run = run_access(access_stack())
    connector = run.named("episode-teleport-github-github")
    roles = [run.named(f"episode-teleport-role-{n}") for n in ("team-blue", "team-green")]
    roles.append(run.named("episode-teleport-role-klustered-host"))
    assert "stdin" in connector.secret_inputs
    assert connector.inputs["logging"] == "none"
    assert connector.inputs["create"] == "sudo -n bash -s -- apply"
    assert connector.inputs["delete"] == "sudo -n bash -s -- remove"
    for role in roles:
        assert role.urn in connector.dependencies
        assert run.named("episode-teleport-install").urn in role.dependencies
        assert "tctl create -f" in role.inputs["stdin"]


def test_github_teams_are_org_teams_named_after_the_stack() -> None:
    run = run_access(access_stack())
    teams = {r.name: r.inputs for r in run.by_type("github:index/team:Team")}
    assert {n: t["name"] for n, t in teams.items()} == {
        "episode-github-team-blue": "ep42-blue",
        "episode-github-team-green": "ep42-green",
        "episode-github-team-hosts": "ep42-hosts",
    }
    members = {
        r.inputs["username"]: r.inputs["teamId"]
        for r in run.by_type("github:index/teamMembership:TeamMembership")
    }
    assert members == {
        "octocat": "episode-github-team-blue-id",
        "hubot": "episode-github-team-blue-id",
        "monalisa": "episode-github-team-green-id",
        "rawkode": "episode-github-team-hosts-id",
    }
    (provider,) = run.by_type("pulumi:providers:github")
    assert provider.inputs["owner"] == "klustered-live"
    for reg in run.by_type("github:index/team:Team"):
        assert reg.provider.startswith(provider.urn)


def test_the_github_token_from_config_reaches_the_provider_as_a_secret() -> None:
    config: dict[str, Any] = {**access_stack(), "github:token": "ghp_" + "x" * 36}
    run = run_access(config)
    (provider,) = run.by_type("pulumi:providers:github")
    assert "token" in provider.secret_inputs


def test_teleport_machine_is_named_per_stack_and_gets_a_firewall() -> None:
    run = run_access(access_stack())
    machine = run.named("episode-teleport-machine-instance")
    assert machine.inputs["name"] == "teleport-ep42"
    # The tag carries the stack: another stack's rules never match this machine.
    assert machine.inputs["tags"] == ["ep42-klustered-teleport"]
    firewall = run.named("episode-teleport-firewall-public")
    assert firewall.inputs["targetTags"] == ["ep42-klustered-teleport"]
    ports = {p for allow in firewall.inputs["allows"] for p in allow.get("ports", [])}
    assert {"22", "443"} <= ports and any(p.startswith("3022-") for p in ports)


def test_without_access_nothing_of_teleport_or_github_is_registered() -> None:
    config = access_stack()
    del config["klustered:access"]
    run = run_access(config)
    names = [r.name for r in run.registrations]
    assert not [n for n in names if "teleport" in n or "github" in n]
    assert not [k for k in run.value if "teleport" in k]


def test_components_hang_under_the_episode_with_their_type_tokens() -> None:
    run = run_access(access_stack())
    episode = run.by_type("klustered:episode:Episode")[0]
    (cluster,) = run.by_type("klustered:teleport:TeleportCluster")
    (teams,) = run.by_type("klustered:teleport:GithubTeams")
    assert cluster.parent == episode.urn and teams.parent == episode.urn
    agents = run.by_type("klustered:teleport:TeleportAgents")
    assert sorted(a.name for a in agents) == [
        "episode-blue-teleport-agents",
        "episode-green-teleport-agents",
    ]
    for child in run.children_of(cluster.urn):
        assert child.name.startswith("episode-teleport-")


def test_with_dns_the_proxy_answers_on_its_name_and_the_name_points_at_its_machine() -> None:
    dns = {"domain": "klustered.live", "zone": "klustered-live", "project": "dns-prj"}
    run = run_access({**access_stack(), "klustered:dns": dns})
    server = yaml.safe_load(run.value["teleport/teleport.yaml"])
    assert server["proxy_service"]["public_addr"] == ["teleport.ep42.klustered.live:443"]
    assert server["proxy_service"]["acme"]["enabled"] is True
    instance = run.named("episode-teleport-machine-instance")
    address = instance.outputs["networkInterfaces"][0]["accessConfigs"][0]["natIp"]
    for record, name in (
        ("episode-dns-teleport", "teleport.ep42.klustered.live."),
        ("episode-dns-teleport-wildcard", "*.teleport.ep42.klustered.live."),
    ):
        reg = run.named(record)
        assert (reg.inputs["name"], reg.inputs["rrdatas"]) == (name, [address])
