"""Stacks with guest access, and a mock engine whose token step answers like tctl (tests)."""

from __future__ import annotations

import copy
import json
from typing import Any

from klustered.offline import OfflineMocks, RecordingMonitor
from klustered.plan import OfflineRun, run_offline
from tests.conftest import episode_program

CLIENT_SECRET = "gh-oauth-secret-5f1c0d9e"
"""The client secret, in plain text in the stack config (as a careless stack file has it)."""
JOIN_TOKEN = "8d3f0c2a9b1e4f7a6c5d4e3f2a1b0c9d"
CA_PIN = "sha256:" + "ab" * 32


def access_stack(**teleport: Any) -> dict[str, Any]:
    """Two teams (blue: 1+2, green: 1+0) on GCP with access on; guests in both."""
    return {
        "klustered:machines": {"provider": "gcp", "gcp": {"project": "klustered-test"}},
        "klustered:access": {
            "teleport": {
                "githubOrg": "klustered-live",
                "githubClientId": "Iv1.0123abcd",
                "githubClientSecret": CLIENT_SECRET,
                "acmeEmail": "ops@klustered.live",
                "hosts": ["rawkode"],
                **teleport,
            }
        },
        "klustered:teams": [
            {"name": "blue", "guests": ["octocat", "hubot"], "controlPlanes": 1, "workers": 2},
            {"name": "green", "guests": ["monalisa"], "controlPlanes": 1, "workers": 0},
        ],
    }


def with_guests(config: dict[str, Any], team: int, guests: list[str]) -> dict[str, Any]:
    """The same stack with one team's guests replaced."""
    changed = copy.deepcopy(config)
    changed["klustered:teams"][team]["guests"] = guests
    return changed


class TokenMocks(OfflineMocks):
    """OfflineMocks whose join-token commands print what join-token.sh prints."""

    def new_resource(self, args: Any) -> tuple[str | None, dict[Any, Any]]:
        """As OfflineMocks, with a token and a CA pin on a join-token step's stdout."""
        id_, outputs = super().new_resource(args)
        teleport_token = "-teleport-agents-" in args.name and args.name.endswith("-join-token")
        if args.typ == "command:remote:Command" and teleport_token:
            outputs["stdout"] = f"{JOIN_TOKEN}\n{CA_PIN}\n"
        return id_, outputs


def run_access(config: dict[str, Any], stack: str = "ep42") -> OfflineRun:
    """The real program with `config`, join tokens answered; value: the rendered files."""
    as_strings = {k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}
    monitor = RecordingMonitor(TokenMocks())
    return run_offline(episode_program, as_strings, stack=stack, monitor=monitor)
