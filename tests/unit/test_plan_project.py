"""`klustered plan STACK --project DIR`: another project's program under the same engine.

The example projects under examples/ plan here through the command line; smaller
projects made in a temporary directory pin down how a project is found and run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from conftest import REPO

from klustered.testing import PlanError, ProjectError, plan_project, run_offline

EXAMPLES = sorted(p.parent for p in (REPO / "examples").glob("*/Pulumi.yaml"))


def stacks_of(project: Path) -> list[str]:
    data = yaml.safe_load((project / "Pulumi.yaml").read_text())
    stack_dir = project / data.get("stackConfigDir", ".")
    return sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in stack_dir.glob("Pulumi.*.yaml"))


def test_there_are_at_least_two_examples() -> None:
    assert len(EXAMPLES) >= 2
    for project in EXAMPLES:
        assert (project / "README.md").is_file()
        assert stacks_of(project), f"{project.name} has no stack file"


@pytest.mark.parametrize("project", EXAMPLES, ids=lambda p: p.name)
def test_every_example_plans_with_project(project: Path, tmp_path: Path) -> None:
    for stack in stacks_of(project):
        out = tmp_path / stack
        args = ["plan", stack, "--project", str(project), "--out", str(out), "--quiet"]
        done = subprocess.run(
            [sys.executable, "-m", "klustered", *args],
            cwd=tmp_path,  # anywhere: the project is found through --project
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        resources = json.loads((out / "resources.json").read_text())
        graph = json.loads((out / "graph.json").read_text())
        assert {r["urn"] for r in resources} == {n["urn"] for n in graph["nodes"]}
        project_name = yaml.safe_load((project / "Pulumi.yaml").read_text())["name"]
        assert all(f"::{project_name}::" in r["urn"] for r in resources)
        clusters = [r for r in resources if r["type"] == "klustered:cluster:Cluster"]
        assert clusters
        scripts = sorted(out.glob("*/*-control-plane-1/10-os-prep.sh"))
        assert len(scripts) == len(clusters)
        assert all(os.access(s, os.X_OK) for s in scripts)


def test_gameday_puts_its_teams_on_two_substrates(tmp_path: Path) -> None:
    plan = plan_project(REPO / "examples" / "gameday", "spring")
    instances = plan.run.by_type("gcp:compute/instance:Instance")
    assert sorted(i.inputs["name"] for i in instances) == [
        "spring-cloud-control-plane-1",  # <stack>-<node>
        "spring-cloud-worker-1",
    ]
    assert len(plan.run.by_type("klustered:machines:ExistingMachine")) == 2
    onprem = plan.run.named("onprem-cluster-onprem-worker-1-wait-for-ssh")
    assert onprem.inputs["connection"]["host"] == "198.51.100.11"
    assert "onprem/onprem-worker-1/42-mesh.sh" in plan.files
    # The host firewall lets WireGuard in on the public interface, and trusts no address.
    firewall = plan.files["onprem/onprem-worker-1/43-firewall.sh"]
    assert "export UDP_PORTS=51820" in firewall
    assert "_SOURCES=''" in firewall
    assert not any(p.startswith("cloud/") and p.endswith("mesh.sh") for p in plan.files)


# --- how a project is run --------------------------------------------------------------


def make_project(root: Path, files: dict[str, str], config: dict[str, object]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text))
    data = yaml.safe_load((root / "Pulumi.yaml").read_text())
    stack_dir = root / data.get("stackConfigDir", ".")
    stack_dir.mkdir(parents=True, exist_ok=True)
    (stack_dir / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": config}))
    return root


GREETER = """
    import pulumi
    from pulumi_command import local

    import helper

    cfg = pulumi.Config()
    cmd = local.Command("greet", create=helper.greeting(cfg.require("who")))
    rendered_files = {"greeter/node/greeting.txt": cmd.create, "greeter/node/cwd.txt": helper.cwd()}
"""
HELPER = """
    import os

    def greeting(who):
        return f"echo hello {who}"

    def cwd():
        return os.getcwd()
"""


def test_a_project_runs_with_its_own_namespace_module_path_and_directory(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "acme",
        {
            "Pulumi.yaml": "name: acme\nruntime: {name: python}\n",
            "__main__.py": GREETER,
            "helper.py": HELPER,
        },
        {"who": "world", "acme:colour": "blue", "other:who": "nobody"},
    )
    before = Path.cwd()
    plan = plan_project(project, "dev")
    assert Path.cwd() == before
    [cmd] = plan.run.by_type("command:local:Command")
    assert cmd.inputs["create"] == "echo hello world"  # `who` read as `acme:who`
    assert cmd.urn.startswith("urn:pulumi:dev::acme::")
    assert plan.files["greeter/node/cwd.txt"] == str(project)
    assert "helper" not in sys.modules  # the project's own modules are forgotten


def test_main_and_stack_config_dir_are_honoured(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "nested",
        {
            "Pulumi.yaml": "name: nested\nruntime: python\nmain: src/\nstackConfigDir: stacks\n",
            "src/__main__.py": GREETER,
            "src/helper.py": HELPER,
        },
        {"nested:who": "there"},
    )
    plan = plan_project(project, "dev")
    [cmd] = plan.run.by_type("command:local:Command")
    assert cmd.inputs["create"] == "echo hello there"
    assert plan.files["greeter/node/cwd.txt"] == str(project / "src")
    file_main = make_project(
        tmp_path / "filemain",
        {
            "Pulumi.yaml": "name: filemain\nruntime: python\nmain: app.py\n",
            "app.py": GREETER,
            "helper.py": HELPER,
        },
        {"who": "file"},
    )
    [cmd] = plan_project(file_main, "dev").run.by_type("command:local:Command")
    assert cmd.inputs["create"] == "echo hello file"


def test_two_projects_with_a_module_of_the_same_name_do_not_mix(tmp_path: Path) -> None:
    one = make_project(
        tmp_path / "one",
        {
            "Pulumi.yaml": "name: one\nruntime: python\n",
            "__main__.py": GREETER,
            "helper.py": HELPER,
        },
        {"who": "one"},
    )
    other_helper = HELPER.replace("hello", "goodbye")
    two = make_project(
        tmp_path / "two",
        {
            "Pulumi.yaml": "name: two\nruntime: python\n",
            "__main__.py": GREETER,
            "helper.py": other_helper,
        },
        {"who": "two"},
    )
    creates = [
        plan_project(p, "dev").run.by_type("command:local:Command")[0].inputs["create"]
        for p in (one, two)
    ]
    assert creates == ["echo hello one", "echo goodbye two"]


def test_a_project_without_rendered_files_still_plans(tmp_path: Path) -> None:
    project = make_project(
        tmp_path / "plain",
        {"Pulumi.yaml": "name: plain\nruntime: python\n", "__main__.py": "import pulumi\n"},
        {},
    )
    plan = plan_project(project, "dev")
    assert (plan.files, plan.run.registrations) == ({}, [])


@pytest.mark.parametrize(
    ("files", "error", "message"),
    [
        ({"Pulumi.yaml": "name: js\nruntime: nodejs\n"}, PlanError, "not python"),
        ({"Pulumi.yaml": "name: empty\nruntime: python\n"}, PlanError, "no program"),
        (
            {
                "Pulumi.yaml": "name: bad\nruntime: python\n",
                "__main__.py": "rendered_files = [1]\n",
            },
            PlanError,
            "rendered_files must map",
        ),
        ({"Pulumi.yaml": "name: bad name\nruntime: python\n"}, ProjectError, "name:"),
    ],
)
def test_what_cannot_be_planned_says_why(
    tmp_path: Path, files: dict[str, str], error: type[Exception], message: str
) -> None:
    project = make_project(tmp_path / "p", files, {})
    with pytest.raises(error, match=message):
        plan_project(project, "dev")


def test_run_offline_sends_structured_config_as_json() -> None:
    def program() -> object:
        import pulumi

        return pulumi.Config("acme").require_object("teams")

    run = run_offline(program, {"acme:teams": [{"name": "blue"}]}, project="acme")
    assert run.value == [{"name": "blue"}]


def _plan_files(out: Path) -> dict[str, str]:
    return {str(p.relative_to(out)): p.read_text() for p in sorted(out.rglob("*")) if p.is_file()}


def test_this_repository_as_a_project_plans_as_klustered_plan_does(tmp_path: Path) -> None:
    runs = {}
    for name, extra in (("own", []), ("project", ["--project", str(REPO)])):
        out = tmp_path / name
        args = ["plan", "episode-42", "--out", str(out), "-q", *extra]
        done = subprocess.run(
            [sys.executable, "-m", "klustered", *args],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        # Warnings come once, as `validate` prints them.
        for line in done.stderr.splitlines():
            assert line.startswith("warning: "), line
        assert len(done.stderr.splitlines()) == len(set(done.stderr.splitlines()))
        runs[name] = _plan_files(out)
    assert runs["own"] == runs["project"]
    assert any(path.endswith("42-mesh.sh") for path in runs["own"])


def test_planning_this_repository_in_process_keeps_the_installed_packages() -> None:
    import components.cluster.component as before

    sys.modules.pop("klustered.program", None)  # first imported by the run below
    plan = plan_project(REPO, "episode-42")
    assert plan.run.by_type("klustered:cluster:Cluster")
    import components.cluster.component as after

    assert after is before
    assert "klustered.program" in sys.modules  # installed: not forgotten like a helper
