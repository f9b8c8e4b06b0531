"""The workflows' own run: scripts, executed as GitHub runs them (`bash -eo pipefail`).

Each script is read from the workflow file (not copied), given the env: and files the
runner would give it (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP), and run against a
real git repository or a real project with the real `klustered` command.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.tools import find_tool
from tests.workflow_fixtures import step, workflow

_MISSING = [tool for tool in ("bash", "git", "jq") if shutil.which(tool) is None]
KLUSTERED = find_tool("klustered")

pytestmark = [
    pytest.mark.sandbox,
    pytest.mark.skipif(
        bool(_MISSING), reason=f"needs {', '.join(_MISSING)} (Debian: .ci/packages/ci.txt)"
    ),
]


class Ran:
    """A finished step: exit code, logs, and what it wrote to GITHUB_OUTPUT and the summary."""

    def __init__(self, done: subprocess.CompletedProcess[str], runner: Path) -> None:
        self.code = done.returncode
        self.log = done.stdout + done.stderr
        self.outputs = dict(
            line.split("=", 1)
            for line in (runner / "output").read_text().splitlines()
            if "=" in line
        )
        self.summary = (runner / "summary").read_text()


def run_step(name: str, job: str, step_name: str, *, cwd: Path, env: dict[str, str]) -> Ran:
    """Run one step's script from a workflow file in `cwd` with the runner's files."""
    script = step(workflow(name), job, step_name)["run"]
    runner = Path(tempfile.mkdtemp(prefix=f"klustered-runner-{os.getpid()}-"))
    try:
        (runner / "output").write_text("")
        (runner / "summary").write_text("")
        (runner / "script.sh").write_text(script)
        base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(runner / "script.sh")],
            cwd=cwd,
            env={
                **base,
                "GITHUB_OUTPUT": str(runner / "output"),
                "GITHUB_STEP_SUMMARY": str(runner / "summary"),
                "RUNNER_TEMP": str(runner),
                **env,
            },
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        return Ran(done, runner)
    finally:
        shutil.rmtree(runner, ignore_errors=True)


# --- preview: which stack files a pull request changes --------------------------------------


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        timeout=30,
    )


def _write(repo: Path, files: dict[str, str | None]) -> None:
    for name, text in files.items():
        path = repo / name
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)


def _pull_request(tmp_path: Path, changes: dict[str, str | None]) -> Path:
    """A repository checked out at a PR's merge commit: HEAD^1 is the base branch's tip."""
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _write(
        repo,
        {
            "README.md": "x\n",
            "stacks/Pulumi.old.yaml": "config: {}\n",
            "stacks/Pulumi.gone.yaml": "config: {}\n",
            "stacks/Pulumi.busy.yaml": "config: {}\n",
        },
    )
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "base")
    _git(repo, "checkout", "-q", "-b", "pr")
    _write(repo, changes)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "--allow-empty", "-m", "pr")
    # main moves on after the PR branched: its change is not the PR's.
    _git(repo, "checkout", "-q", "main")
    _write(repo, {"stacks/Pulumi.busy.yaml": "config: {a: 1}\n"})
    _git(repo, "commit", "-q", "-am", "main moves")
    _git(repo, "merge", "-q", "--no-ff", "-m", "merge pr", "pr")
    return repo


def _changed(tmp_path: Path, changes: dict[str, str | None], from_fork: bool = False) -> Ran:
    repo = _pull_request(tmp_path, changes)
    env = {"FROM_FORK": "true" if from_fork else "false"}
    return run_step("preview", "stacks", "changed", cwd=repo, env=env)


def test_preview_lists_added_and_changed_stacks_not_deleted_or_base_ones(tmp_path: Path) -> None:
    ran = _changed(
        tmp_path,
        {
            "stacks/Pulumi.old.yaml": "config: {b: 2}\n",
            "stacks/Pulumi.new.yaml": "config: {}\n",
            "stacks/Pulumi.gone.yaml": None,
            "stacks/README.md": "notes\n",
            "stacks/sub/Pulumi.nested.yaml": "config: {}\n",
            "docs/ci.md": "docs\n",
        },
    )
    assert ran.code == 0, ran.log
    assert json.loads(ran.outputs["stacks"]) == ["new", "old"]
    assert "- `new`\n- `old`\n" in ran.summary


def test_preview_of_a_pr_changing_no_stack_is_an_empty_list(tmp_path: Path) -> None:
    ran = _changed(tmp_path, {"docs/ci.md": "docs\n", "stacks/README.md": "notes\n"})
    assert ran.code == 0, ran.log
    assert ran.outputs["stacks"] == "[]"
    assert "changes no stack file: nothing to preview" in ran.summary


def test_preview_says_a_forks_stacks_are_not_previewed(tmp_path: Path) -> None:
    ran = _changed(tmp_path, {"stacks/Pulumi.new.yaml": "config: {}\n"}, from_fork=True)
    assert ran.code == 0, ran.log
    assert json.loads(ran.outputs["stacks"]) == ["new"]
    assert "comes from a fork" in ran.summary


@pytest.mark.parametrize(
    "name",
    ["stacks/Pulumi.$(touch pwned).yaml", "stacks/Pulumi.a\nb.yaml", "stacks/Pulumi.\u00e9.yaml"],
    ids=["command-substitution", "newline", "non-ascii"],
)
def test_preview_refuses_a_stack_file_name_that_is_no_stack_name(tmp_path: Path, name: str) -> None:
    ran = _changed(tmp_path, {name: "config: {}\n", "stacks/Pulumi.new.yaml": "config: {}\n"})
    assert ran.code == 1
    assert "a stack file name holds characters a stack name cannot" in ran.log
    assert "stacks" not in ran.outputs
    assert not (tmp_path / "repo" / "pwned").exists()


# --- expire: the list, each job's result, the summary ---------------------------------------


def _project(root: Path, stacks: dict[str, str]) -> Path:
    """A project whose .venv/bin/klustered is the real command (as the workflow installs it)."""
    assert KLUSTERED is not None
    root.mkdir()
    (root / "Pulumi.yaml").write_text("name: klustered\nruntime: python\nstackConfigDir: stacks\n")
    (root / "stacks").mkdir()
    for name, expires in stacks.items():
        (root / "stacks" / f"Pulumi.{name}.yaml").write_text(
            "config:\n  klustered:machines: {provider: gcp, gcp: {project: test-project}}\n"
            f"  klustered:teams: [{{name: blue}}]\n  klustered:expires: {expires}\n"
        )
    (root / ".venv" / "bin").mkdir(parents=True)
    (root / ".venv" / "bin" / "klustered").symlink_to(KLUSTERED)
    return root


needs_klustered = pytest.mark.skipif(KLUSTERED is None, reason="needs the klustered command")


@needs_klustered
def test_expire_list_outputs_the_expired_stacks_and_flags_unchecked_files(tmp_path: Path) -> None:
    project = _project(
        tmp_path / "p",
        {"past": '"2020-01-01T00:00:00Z"', "future": '"2999-01-01T00:00:00Z"', "bad": "soon"},
    )
    ran = run_step("expire", "list", "expired", cwd=project, env={})
    assert ran.code == 0, ran.log
    assert json.loads(ran.outputs["stacks"]) == ["past"]
    assert json.loads(ran.outputs["expired"]) == [
        {"stack": "past", "expires": "2020-01-01T00:00:00Z", "file": "stacks/Pulumi.past.yaml"}
    ]
    assert ran.outputs["unchecked"] == "true"
    assert "- past: expired 2020-01-01T00:00:00Z" in ran.summary
    assert "expires: 'soon' is not an ISO 8601 time" in ran.summary


@needs_klustered
def test_expire_list_with_nothing_expired(tmp_path: Path) -> None:
    project = _project(tmp_path / "p", {"future": '"2999-01-01T00:00:00Z"'})
    ran = run_step("expire", "list", "expired", cwd=project, env={})
    assert ran.code == 0, ran.log
    assert (ran.outputs["stacks"], ran.outputs["unchecked"]) == ("[]", "false")
    assert "No stack has expired." in ran.summary


@needs_klustered
def test_expire_list_fails_outside_a_project(tmp_path: Path) -> None:
    project = _project(tmp_path / "p", {})
    (project / "Pulumi.yaml").unlink()
    ran = run_step("expire", "list", "expired", cwd=project, env={})
    assert ran.code == 2
    assert "klustered expired failed (exit 2)" in ran.log
    assert "stacks" not in ran.outputs


@needs_klustered
def test_expire_list_refuses_a_stack_name_pulumi_cannot_have(tmp_path: Path) -> None:
    # klustered itself refuses the file (not a Pulumi stack name): it is reported as not
    # checked, never listed for destroy, and the run is marked unchecked.
    project = _project(tmp_path / "p", {"two words": '"2020-01-01T00:00:00Z"'})
    ran = run_step("expire", "list", "expired", cwd=project, env={})
    assert ran.code == 0, ran.log
    assert ran.outputs["stacks"] == "[]"
    assert ran.outputs["unchecked"] == "true"
    assert "is not a Pulumi stack name" in ran.log


@pytest.mark.parametrize(
    ("exists", "destroy", "remove", "result"),
    [
        ("true", "success", "skipped", "destroyed"),
        ("true", "success", "success", "destroyed, stack removed"),
        ("true", "success", "failure", "destroyed, stack rm failed"),
        ("true", "failure", "skipped", "failed"),
        ("false", "skipped", "skipped", "not in the backend"),
        ("", "skipped", "skipped", "failed"),
    ],
    ids=["destroyed", "removed", "rm-failed", "destroy-failed", "absent", "backend-check-failed"],
)
def test_expire_job_records_its_result(
    tmp_path: Path, exists: str, destroy: str, remove: str, result: str
) -> None:
    env = {"STACK": "ep-1", "EXISTS": exists, "DESTROY": destroy, "REMOVE": remove}
    ran = run_step("expire", "destroy", "Result", cwd=tmp_path, env=env)
    assert ran.code == 0, ran.log
    saved = json.loads((tmp_path / "expire-result" / "ep-1.json").read_text())
    assert saved == {"stack": "ep-1", "result": result}
    assert ran.summary == f"ep-1: {result}\n"


def _summary(tmp_path: Path, results: dict[str, str], **env: str) -> Ran:
    expired = [{"stack": s, "expires": "2026-12-01T20:00:00Z"} for s in ("a", "b")]
    folder = tmp_path / "expire-results"
    folder.mkdir()
    for stack, result in results.items():
        (folder / f"{stack}.json").write_text(json.dumps({"stack": stack, "result": result}))
    base = {"EXPIRED": json.dumps(expired), "UNCHECKED": "false", "DRY_RUN": "false"}
    return run_step("expire", "summary", "What was destroyed", cwd=tmp_path, env=base | env)


def test_expire_summary_tables_every_stack_and_passes_when_all_are_gone(tmp_path: Path) -> None:
    ran = _summary(tmp_path, {"a": "destroyed", "b": "not in the backend"})
    assert ran.code == 0, ran.log
    assert "| a | 2026-12-01T20:00:00Z | destroyed |" in ran.summary
    assert "| b | 2026-12-01T20:00:00Z | not in the backend |" in ran.summary


def test_expire_summary_fails_the_run_for_a_failed_or_missing_result(tmp_path: Path) -> None:
    ran = _summary(tmp_path, {"a": "failed"})
    assert ran.code == 1
    assert "| a | 2026-12-01T20:00:00Z | failed |" in ran.summary
    assert "| b | 2026-12-01T20:00:00Z | failed (no result) |" in ran.summary


def test_expire_summary_fails_the_run_for_an_unchecked_stack_file(tmp_path: Path) -> None:
    ran = _summary(tmp_path, {"a": "destroyed", "b": "destroyed"}, UNCHECKED="true")
    assert ran.code == 1
    assert "Some stack files could not be checked" in ran.summary


def test_expire_summary_of_a_dry_run_destroys_nothing_and_passes(tmp_path: Path) -> None:
    ran = _summary(tmp_path, {}, DRY_RUN="true")
    assert ran.code == 0, ran.log
    assert ran.summary.count("not destroyed (dry run)") == 2


def test_expire_summary_with_nothing_expired(tmp_path: Path) -> None:
    env = {"EXPIRED": "[]", "UNCHECKED": "false", "DRY_RUN": "false"}
    ran = run_step("expire", "summary", "What was destroyed", cwd=tmp_path, env=env)
    assert ran.code == 0, ran.log
    assert "No stack has expired." in ran.summary


# --- up: the guards before pulumi up --------------------------------------------------------


@pytest.mark.parametrize("stack", ["x; touch pwned", "$(touch pwned)", "", "a/b"])
def test_up_refuses_a_stack_input_that_is_no_stack_name(tmp_path: Path, stack: str) -> None:
    ran = run_step("up", "up", "Check the stack name", cwd=tmp_path, env={"STACK": stack})
    assert ran.code == 1
    assert "stack: not a stack name" in ran.log
    assert not (tmp_path / "pwned").exists()


def test_up_accepts_a_stack_name(tmp_path: Path) -> None:
    ran = run_step("up", "up", "Check the stack name", cwd=tmp_path, env={"STACK": "ep-42.b_1"})
    assert ran.code == 0, ran.log


@needs_klustered
def test_up_refuses_an_expired_stack_and_allows_a_live_one(tmp_path: Path) -> None:
    project = _project(
        tmp_path / "p",
        {"gone": '"2020-01-01T00:00:00Z"', "live": '"2999-01-01T00:00:00Z"', "bad": "soon"},
    )
    name = "Refuse a stack whose expires has passed"
    gone = run_step("up", "up", name, cwd=project, env={"STACK": "gone"})
    assert gone.code == 1
    assert "gone has expired: move klustered:expires later" in gone.log
    # A broken stack file elsewhere (exit 1 of klustered expired) does not block this one.
    live = run_step("up", "up", name, cwd=project, env={"STACK": "live"})
    assert live.code == 0, live.log
