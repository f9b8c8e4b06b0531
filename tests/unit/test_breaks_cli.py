"""`klustered breaks list / show / lint` through typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from breaks.catalog import CATALOG_DIR, catalog_ids, load_break
from klustered.breaks_cli import app

runner = CliRunner()


def test_list_json_gives_id_title_layer_difficulty_targets() -> None:
    result = runner.invoke(app, ["list", "--json"])
    assert result.exit_code == 0
    rows = json.loads(result.output)
    assert {r["id"] for r in rows} == catalog_ids()
    swap = next(r for r in rows if r["id"] == "swap-reenabled")
    assert swap == {
        "id": "swap-reenabled",
        "title": "Swap is back",
        "layer": "host-os",
        "difficulty": "easy",
        "targets": "all",
    }


def test_list_prints_an_ascii_table() -> None:
    result = runner.invoke(app, ["list"])
    assert result.exit_code == 0
    assert "kubelet-maxpods" in result.output
    assert result.output.isascii()


def test_show_hides_solution_and_hints_without_spoilers() -> None:
    s = load_break("scheduler-hidden")
    plain = runner.invoke(app, ["show", "scheduler-hidden"])
    assert plain.exit_code == 0
    assert "Pods wait forever" in plain.output
    assert ".kube-scheduler.yaml" not in plain.output
    assert s.spec.hints[0] not in plain.output
    spoiled = runner.invoke(app, ["show", "scheduler-hidden", "--spoilers"])
    assert ".kube-scheduler.yaml" in spoiled.output
    assert s.spec.hints[0] in spoiled.output


def test_show_json_with_spoilers_has_solution_and_hints() -> None:
    result = runner.invoke(app, ["show", "kubelet-maxpods", "--json", "--spoilers"])
    data = json.loads(result.output)
    assert data["params"]["maxPods"]["default"] == 1
    assert "maxPods" in data["solution"]
    assert len(data["hints"]) == 3


def test_show_of_an_unknown_id_fails_with_one_line() -> None:
    result = runner.invoke(app, ["show", "no-such-break"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "error: no-such-break: no break 'no-such-break' in the catalog"
    ]
    assert "Traceback" not in result.output


def test_lint_passes_catalog_directories() -> None:
    result = runner.invoke(app, ["lint", str(CATALOG_DIR / "swap-reenabled")])
    assert result.exit_code == 0
    assert result.output.strip().endswith("swap-reenabled: ok")


def test_lint_exits_1_with_file_and_line_per_violation(tmp_path: Path) -> None:
    d = tmp_path / "bad"
    d.mkdir()
    (d / "scenario.yaml").write_text(
        "id: bad\ntitle: Bad\ndifficulty: easy\nprompt: Serve v2.\n", encoding="ascii"
    )
    (d / "break.sh").write_text(
        "#!/usr/bin/env bash\nset -euo pipefail\niptables -A INPUT -p tcp --dport 22 -j DROP\n"
    )
    result = runner.invoke(app, ["lint", str(d)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert f"{d}/break.sh:3: [access-path] drops traffic to port(s) 22: iptables -A" in lines[0]
    assert any(line.startswith(f"{d}/solve.sh:0: [files]") for line in lines)
    assert lines[-1] == "error: 1 of 1 scenario(s) break the rules"


def test_lint_of_a_missing_directory_says_so(tmp_path: Path) -> None:
    result = runner.invoke(app, ["lint", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert (
        result.output.splitlines()[0] == f"{tmp_path / 'nope'}:0: [files] not a scenario directory"
    )
