"""`klustered validate --json`: every problem of every stage, machine-readable, in one run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

STACK = {
    "config": {
        "klustered:machines": {"provider": "gcp", "gcp": {"project": "test-project"}},
        "klustered:kubernetes": {"podCidr": "10.96.0.0/16"},
        "klustered:mesh": {"enabled": True, "mtu": 100},
        "klustered:colour": "blue",
        "klustered:teams": [
            {"name": "blue", "workers": -1},
            {"name": "green", "breaks": [{"id": "no-such-break"}]},
            {"name": "red", "breaks": [{"id": "kubelet-maxpods", "targets": ["red-worker-9"]}]},
        ],
    }
}


def _validate_json(path: Path) -> tuple[int, list[dict[str, str]]]:
    done = subprocess.run(
        [sys.executable, "-m", "klustered", "validate", "--json", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "Traceback" not in done.stdout + done.stderr
    return done.returncode, json.loads(done.stdout)


def test_validate_json_lists_problems_of_every_stage(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.mixed.yaml"
    path.write_text(yaml.safe_dump(STACK))
    code, problems = _validate_json(path)
    assert code == 1
    fields = {p["field"] for p in problems}
    assert {
        "klustered:colour",  # unknown key
        "mesh.mtu",  # a section's own schema
        "teams[0].workers",  # one team's schema
        "kubernetes.serviceCidr",  # cross-field: ranges overlap
        "teams[1].breaks[0].id",  # cross-field: the break catalog
        "teams[2].breaks[0].targets",  # cross-field: targets against the team's nodes
    } <= fields
    assert all(set(p) == {"field", "message", "severity"} for p in problems)
    assert all(p["message"] and not p["message"].startswith(p["field"]) for p in problems)


def test_validate_json_of_a_valid_stack_is_an_empty_list() -> None:
    repo = Path(__file__).resolve().parents[2]
    code, problems = _validate_json(repo / "stacks" / "Pulumi.episode-42.yaml")
    assert (code, [p for p in problems if p["severity"] == "error"]) == (0, [])


def test_validate_json_reports_an_unreadable_stack_file(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.bad.yaml"
    path.write_text("config: [unclosed\n")
    code, problems = _validate_json(path)
    assert code == 1
    assert len(problems) == 1 and "not valid YAML" in problems[0]["message"]
