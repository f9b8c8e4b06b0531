"""The `klustered` command as CI sees it: through a pipe, with hostile arguments and paths.

Every run is a real process (`python -m klustered`) with stdout and stderr on pipes.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO

from klustered.cli import command


def klustered(
    *args: str, cwd: Path = REPO, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the CLI with both streams on pipes (not a terminal); no traceback, ever."""
    done = subprocess.run(
        [sys.executable, "-m", "klustered", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, "COLUMNS": "80", **(env or {})},
    )
    assert "Traceback (most recent call last)" not in done.stdout + done.stderr, done.stderr
    return done


def stack_file(tmp_path: Path, config: dict[str, Any], name: str = "s") -> Path:
    path = tmp_path / f"Pulumi.{name}.yaml"
    path.write_text(yaml.safe_dump({"config": config}))
    return path


GUESTS = [f"guest-with-a-long-handle-{i:02d}" for i in range(12)]


def test_a_long_table_row_is_one_line_on_a_pipe(tmp_path: Path) -> None:
    path = stack_file(
        tmp_path,
        {
            "klustered:machines": {"provider": "gcp", "gcp": {"project": "klustered-test"}},
            "klustered:teams": [{"name": "blue", "guests": GUESTS}],
        },
    )
    done = klustered("validate", str(path))
    assert done.returncode == 0, done.stderr
    row = next(line for line in done.stdout.splitlines() if "blue" in line)
    assert ", ".join(GUESTS) in row
    assert len(row) > 400  # COLUMNS=80 is ignored: nothing is cut or wrapped


def test_a_long_error_is_one_line_on_a_pipe(tmp_path: Path) -> None:
    deep = tmp_path.joinpath(*["a-rather-long-directory-name"] * 6)
    deep.mkdir(parents=True)
    done = klustered("validate", str(deep / "Pulumi.missing.yaml"))
    assert done.returncode == 1
    assert done.stderr == f"error: {deep / 'Pulumi.missing.yaml'}: no such stack file\n"


def test_version_is_the_installed_distributions() -> None:
    done = klustered("--version")
    assert done.stdout == f"klustered {importlib.metadata.version('klustered')}\n"


def _commands(cmd: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    for name, sub in getattr(cmd, "commands", {}).items():
        found += _commands(sub, (*path, name))
    return found


@pytest.mark.parametrize("path", _commands(command()), ids=lambda p: " ".join(p) or "klustered")
def test_help_names_values_without_type_tags(path: tuple[str, ...]) -> None:
    done = klustered(*path, "--help")
    assert done.returncode == 0
    text = done.stdout
    usage, *rest = text.splitlines()
    assert usage.startswith(f"Usage: klustered {' '.join(path)}".rstrip())
    tags = re.compile(
        r"<[A-Za-z][\w\[\]| ]*>|\{[A-Z][A-Z|._]*\}|\b(TEXT|BOOLEAN|PATH|INTEGER|FLOAT)\b"
    )
    assert not tags.search(text), f"type tag in the help of {path}:\n{text}"
    assert not [line for line in rest if line.endswith("...")], text  # no shortened summary
    assert text.isascii()


def test_plan_help_names_its_directories() -> None:
    text = klustered("plan", "--help").stdout
    assert "--out DIR" in text and "--project DIR" in text
    assert "Usage: klustered plan [OPTIONS] STACK|FILE\n" in text


# --- no traceback, whatever the input --------------------------------------------------


def test_a_stack_file_outside_any_project_is_checked_on_its_own(tmp_path: Path) -> None:
    path = stack_file(tmp_path, {"klustered:teams": [{"name": "blue", "workers": -1}]})
    for args in (["validate", str(path)], ["plan", str(path), "--out", str(tmp_path / "p")]):
        done = klustered(*args, cwd=tmp_path)
        assert done.returncode == 1
        assert "teams[0].workers" in done.stderr
    listed = json.loads(klustered("validate", "--json", str(path), cwd=tmp_path).stdout)
    assert "teams[0].workers" in {p["field"] for p in listed}


def test_bare_keys_of_a_stack_outside_a_project_are_refused_in_one_line(tmp_path: Path) -> None:
    path = stack_file(tmp_path, {"teams": [{"name": "blue"}]})
    done = klustered("validate", str(path), cwd=tmp_path)
    assert done.returncode == 1
    assert "has no namespace and no Pulumi.yaml names the project" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("project_yaml", "message"),
    [
        ("name: [unclosed\n", "not valid YAML"),
        ("- a list\n", "must be a mapping"),
        ("runtime: python\n", "name:"),
        ("name: x\nruntime: python\nmain: ../../elsewhere\n", "leaves the project"),
    ],
)
def test_a_broken_pulumi_yaml_is_one_line(tmp_path: Path, project_yaml: str, message: str) -> None:
    (tmp_path / "Pulumi.yaml").write_text(project_yaml)
    stack_file(tmp_path, {"teams": [{"name": "blue"}]})
    for args in (["validate", "s"], ["plan", "s", "--project", str(tmp_path)]):
        done = klustered(*args, cwd=tmp_path)
        assert done.returncode == 1
        assert message in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_plan_of_a_missing_project_is_one_line(tmp_path: Path) -> None:
    done = klustered("plan", "dev", "--project", str(tmp_path / "nowhere"))
    assert (done.returncode, done.stderr) == (
        1,
        f"error: {tmp_path / 'nowhere'}: no such project directory\n",
    )


def test_a_program_that_raises_fails_with_one_line(tmp_path: Path) -> None:
    project = tiny_project(tmp_path, "raise KeyError('no such thing')\n")
    done = klustered("plan", "dev", "--project", str(project), "--out", str(tmp_path / "out"))
    assert done.returncode == 1
    assert done.stderr == "error: plan failed: KeyError: 'no such thing'\n"
    assert not (tmp_path / "out").exists()


# --- plan --out ------------------------------------------------------------------------


def tiny_project(tmp_path: Path, program: str, name: str = "tiny") -> Path:
    """A Pulumi project whose program is `program`; its one stack is `dev`."""
    root = tmp_path / name
    root.mkdir()
    (root / "Pulumi.yaml").write_text(f"name: {name}\nruntime: python\n")
    (root / "__main__.py").write_text(program)
    (root / "Pulumi.dev.yaml").write_text("config: {}\n")
    return root


TEAMS_PROGRAM = textwrap.dedent(
    """
    import pulumi
    from pulumi_command import local

    teams = pulumi.Config().require_object("teams")
    rendered_files = {}
    for team in teams:
        cmd = local.Command(team, create=f"echo {team}")
        rendered_files[f"{team}/{team}-node-1/hello.sh"] = cmd.create
    """
)


def set_teams(project: Path, teams: list[str]) -> None:
    (project / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": {"tiny:teams": teams}}))


def test_plan_replaces_a_previous_plan_whole(tmp_path: Path) -> None:
    project = tiny_project(tmp_path, TEAMS_PROGRAM)
    out = tmp_path / "plan"
    set_teams(project, ["blue", "green"])
    assert klustered("plan", "dev", "--project", str(project), "--out", str(out)).returncode == 0
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["blue", "green"]
    set_teams(project, ["blue"])
    done = klustered("plan", "dev", "--project", str(project), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["blue"]  # green is gone
    assert (out / "blue" / "blue-node-1" / "hello.sh").read_text() == "echo blue"
    names = [r["name"] for r in json.loads((out / "resources.json").read_text())]
    assert "green" not in names
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".plan")] == []


def test_plan_refuses_a_directory_that_is_not_a_plan(tmp_path: Path) -> None:
    project = tiny_project(tmp_path, TEAMS_PROGRAM)
    set_teams(project, ["blue"])
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    done = klustered("plan", "dev", "--project", str(project), "--out", str(mine))
    assert done.returncode == 1
    assert "not empty and not a previous plan" in done.stderr
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    done = klustered("plan", "dev", "--project", str(project), "--out", str(a_file))
    assert (done.returncode, a_file.read_text()) == (1, "x")
    assert "not a directory" in done.stderr
    done = klustered("plan", "dev", "--project", str(project), "--out", str(a_file / "plan"))
    assert done.returncode == 1
    assert done.stderr == f"error: cannot write {a_file / 'plan'}: {a_file} is not a directory\n"


def test_plan_writes_into_an_empty_directory(tmp_path: Path) -> None:
    project = tiny_project(tmp_path, TEAMS_PROGRAM)
    set_teams(project, ["blue"])
    empty = tmp_path / "empty"
    empty.mkdir()
    done = klustered("plan", "dev", "--project", str(project), "--out", str(empty))
    assert done.returncode == 0, done.stderr
    marker = json.loads((empty / ".klustered-plan").read_text())
    assert marker == {"project": "tiny", "stack": "dev"}


def test_the_config_namespace_is_the_projects_name(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: acme\nruntime: python\nstackConfigDir: stacks\n")
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.dev.yaml").write_text(
        yaml.safe_dump(
            {
                "config": {
                    "acme:machines": {"provider": "gcp", "gcp": {"project": "klustered-test"}},
                    "teams": [{"name": "blue", "workers": 0}],  # no namespace: acme's
                    "klustered:colour": "ignored, another project's key",
                }
            }
        )
    )
    assert klustered("validate", "dev", cwd=tmp_path).returncode == 0
    out = tmp_path / "plan"
    done = klustered("plan", "dev", "--out", str(out), "-q", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    urns = [r["urn"] for r in json.loads((out / "resources.json").read_text())]
    assert urns and all(u.startswith("urn:pulumi:dev::acme::") for u in urns)
    assert (out / "blue" / "blue-control-plane-1" / "10-os-prep.sh").is_file()
    (tmp_path / "stacks" / "Pulumi.dev.yaml").write_text(
        yaml.safe_dump({"config": {"klustered:teams": [{"name": "blue"}]}})
    )
    done = klustered("validate", "dev", cwd=tmp_path)
    assert done.returncode == 1
    assert "teams: required (acme:teams lists one cluster per team)" in done.stderr
