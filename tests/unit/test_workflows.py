"""The workflows keep their triggers, their steps and their guard rails.

A refactor that drops the PR comment, the destroy, the README's commands, a pin or a
permission limit fails here. (actionlint checks the syntax and expressions:
tests/render/test_workflows_actionlint.py; the run: scripts are executed by
tests/sandbox/test_workflow_scripts.py.)
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.workflow_fixtures import (
    WORKFLOW_FILES,
    pinned_requirement,
    readme_commands,
    step,
    steps,
    uses,
    workflow,
)

PULUMI = "pulumi/actions"
GCP_AUTH = "google-github-actions/auth"
STACK_JOBS = [("preview", "preview"), ("expire", "destroy"), ("up", "up")]
"""(workflow, job) of every job that reads or changes a stack's state."""
PINNED = r"\s*(- )?uses: [\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+"
"""A `uses:` line: owner/repo at a full commit SHA, the release it is in a comment."""


def _all_steps() -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for path in WORKFLOW_FILES:
        wf = workflow(path.stem)
        for job in wf["jobs"]:
            found += [(path.stem, job, s) for s in steps(wf, job)]
    return found


def test_the_four_workflows_exist() -> None:
    assert [p.name for p in WORKFLOW_FILES] == ["expire.yml", "preview.yml", "test.yml", "up.yml"]


# --- guard rails, every workflow ---------------------------------------------------------


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.stem)
def test_every_action_is_pinned_to_a_commit_with_its_version_in_a_comment(path: Path) -> None:
    lines = [ln for ln in path.read_text().splitlines() if re.match(r"\s*(- )?uses:", ln)]
    assert lines
    for line in lines:
        assert re.fullmatch(PINNED, line), line


def test_one_action_is_pinned_to_one_commit_everywhere() -> None:
    refs: dict[str, set[str]] = {}
    for _, _, s in _all_steps():
        if "uses" in s:
            action, ref = s["uses"].split("@")
            refs.setdefault(action, set()).add(ref)
    assert {a: len(r) for a, r in refs.items()} == dict.fromkeys(refs, 1)


def test_no_expression_is_interpolated_into_a_run_script() -> None:
    # Untrusted input (branch names, titles, file names) reaches scripts through env: only.
    for name, job, s in _all_steps():
        if "run" in s:
            assert "${{" not in s["run"], f"{name}/{job}/{s.get('name')}"


def test_checkouts_leave_no_token_behind() -> None:
    checkouts = [(n, j, s) for n, j, s in _all_steps() if "actions/checkout@" in s.get("uses", "")]
    assert len(checkouts) >= 6
    for name, job, s in checkouts:
        assert s["with"]["persist-credentials"] is False, f"{name}/{job}"


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: p.stem)
def test_permissions_are_least_privilege(path: Path) -> None:
    wf = workflow(path.stem)
    assert wf["permissions"] in ({}, {"contents": "read"}), "top-level permissions"
    for job_name, job in wf["jobs"].items():
        granted = job.get("permissions", wf["permissions"])
        assert isinstance(granted, dict), f"{job_name}: permissions must be a mapping"
        job_steps = job["steps"]
        allowed = {"contents": "read"}
        if any(str(s.get("uses", "")).startswith(GCP_AUTH + "@") for s in job_steps):
            allowed["id-token"] = "write"
        if any(
            str(s.get("uses", "")).startswith(PULUMI + "@")
            and s.get("with", {}).get("comment-on-pr") is True
            for s in job_steps
        ):
            allowed["pull-requests"] = "write"
        assert granted.items() <= allowed.items(), f"{path.stem}/{job_name}: {granted}"


def test_only_the_preview_job_may_comment_and_only_cloud_jobs_get_an_oidc_token() -> None:
    writers = {
        (path.stem, job_name): perms
        for path in WORKFLOW_FILES
        for job_name, job in workflow(path.stem)["jobs"].items()
        if (perms := {k: v for k, v in job.get("permissions", {}).items() if v == "write"})
    }
    assert writers == {
        ("preview", "preview"): {"id-token": "write", "pull-requests": "write"},
        ("expire", "destroy"): {"id-token": "write"},
        ("up", "up"): {"id-token": "write"},
    }


@pytest.mark.parametrize(("name", "job"), STACK_JOBS)
def test_one_run_at_a_time_per_stack_across_workflows(name: str, job: str) -> None:
    spec = workflow(name)["jobs"][job]
    key = "inputs.stack" if name == "up" else "matrix.stack"
    assert spec["concurrency"] == {
        "group": f"pulumi-stack-${{{{ {key} }}}}",
        "cancel-in-progress": False,
    }


@pytest.mark.parametrize(("name", "job"), STACK_JOBS)
def test_secrets_reach_only_the_pulumi_steps(name: str, job: str) -> None:
    spec = workflow(name)["jobs"][job]
    for key, value in spec.get("env", {}).items():
        if "secrets." in str(value):
            assert re.fullmatch(r"\$\{\{ secrets\.\w+ != '' \}\}", value), f"job env {key}"
    for s in spec["steps"]:
        secret_env = [k for k, v in s.get("env", {}).items() if "secrets." in str(v)]
        if not secret_env:
            continue
        runs_pulumi = str(s.get("uses", "")).startswith(PULUMI + "@") or "pulumi " in s.get(
            "run", ""
        )
        assert runs_pulumi, f"{name}/{job}/{s.get('name')} gets {secret_env}"
    install = step(workflow(name), job, "Install (README command 1)")
    assert "env" not in install


@pytest.mark.parametrize(("name", "job"), STACK_JOBS)
def test_the_pulumi_cli_matches_the_pinned_sdk(name: str, job: str) -> None:
    wf = workflow(name)
    assert wf["env"]["PULUMI_VERSION"] == pinned_requirement("pulumi")
    pulumi_steps = uses(wf, job, PULUMI)
    assert pulumi_steps
    for s in pulumi_steps:
        assert s["with"]["pulumi-version"] == "${{ env.PULUMI_VERSION }}"


@pytest.mark.parametrize(("name", "job"), STACK_JOBS)
def test_gcp_credentials_come_from_oidc_or_else_a_key(name: str, job: str) -> None:
    oidc, key = uses(workflow(name), job, GCP_AUTH)
    assert oidc["if"] == "vars.GCP_WORKLOAD_IDENTITY_PROVIDER != ''"
    provider = oidc["with"]["workload_identity_provider"]
    assert provider == "${{ vars.GCP_WORKLOAD_IDENTITY_PROVIDER }}"
    assert "credentials_json" not in oidc["with"]
    assert key["if"] == "vars.GCP_WORKLOAD_IDENTITY_PROVIDER == '' && env.GCP_KEY_SET == 'true'"
    assert key["with"] == {"credentials_json": "${{ secrets.GCP_CREDENTIALS_JSON }}"}


# --- test ----------------------------------------------------------------------------------


def test_test_workflow_runs_on_push_and_pull_request() -> None:
    on = workflow("test")["on"]
    assert "push" in on and "pull_request" in on


def test_test_workflow_covers_python_3_11_to_3_13() -> None:
    job = workflow("test")["jobs"]["test"]
    assert job["strategy"]["matrix"]["python"] == ["3.11", "3.12", "3.13"]
    assert job["strategy"]["fail-fast"] is False
    assert job["container"]["image"] == "python:${{ matrix.python }}-bookworm"


def test_test_workflow_runs_the_readme_commands_then_lint() -> None:
    install, tests = readme_commands()
    runs = [s.get("run", "") for s in steps(workflow("test"), "test")]
    assert install in runs and tests in runs
    lint = next(r for r in runs if "ruff check" in r)
    assert runs.index(install) < runs.index(lint) < runs.index(tests)
    for tool in ("ruff check .", "ruff format --check .", "mypy", "actionlint"):
        assert f".venv/bin/{tool}" in lint


def test_test_workflow_runs_the_sandbox_tests_as_root_with_their_tools() -> None:
    # Sandbox tests skip without root, namespaces or their Debian packages.
    job = workflow("test")["jobs"]["test"]
    assert job["container"]["options"] == "--privileged"
    tools = step(workflow("test"), "test", "System tools for the sandbox tests (.ci/packages)")
    assert ".ci/packages/*.txt" in tools["run"] and "apt-get install" in tools["run"]


# --- preview -------------------------------------------------------------------------------


def test_preview_runs_on_pull_requests_only_never_pull_request_target() -> None:
    assert workflow("preview")["on"] == {"pull_request": None}


def test_preview_finds_the_changed_stack_files() -> None:
    changed = step(workflow("preview"), "stacks", "changed")
    assert "git diff --name-only" in changed["run"] and "HEAD^1 HEAD -- stacks" in changed["run"]
    checkout = uses(workflow("preview"), "stacks", "actions/checkout")[0]
    assert checkout["with"]["fetch-depth"] == 2
    outputs = workflow("preview")["jobs"]["stacks"]["outputs"]
    assert outputs == {"stacks": "${{ steps.changed.outputs.stacks }}"}


def test_preview_runs_one_job_per_changed_stack_and_none_without_one() -> None:
    job = workflow("preview")["jobs"]["preview"]
    assert job["needs"] == "stacks"
    assert job["strategy"] == {
        "fail-fast": False,
        "matrix": {"stack": "${{ fromJSON(needs.stacks.outputs.stacks) }}"},
    }
    assert "needs.stacks.outputs.stacks != '[]'" in job["if"]


def test_preview_never_runs_a_forks_code_with_secrets() -> None:
    job = workflow("preview")["jobs"]["preview"]
    assert "github.event.pull_request.head.repo.full_name == github.repository" in job["if"]


def test_preview_validates_then_previews_and_comments_on_the_pr() -> None:
    wf = workflow("preview")
    runs = [s.get("run", "") for s in steps(wf, "preview")]
    (pulumi,) = uses(wf, "preview", PULUMI)
    validate = runs.index('.venv/bin/klustered validate "$STACK"')
    assert validate < steps(wf, "preview").index(pulumi)
    assert wf["jobs"]["preview"]["env"]["STACK"] == "${{ matrix.stack }}"
    assert pulumi["with"]["command"] == "preview"
    assert pulumi["with"]["stack-name"] == "${{ matrix.stack }}"
    assert pulumi["with"]["comment-on-pr"] is True
    assert pulumi["with"]["edit-pr-comment"] is True


# --- expire --------------------------------------------------------------------------------


def test_expire_runs_on_a_schedule_and_by_hand() -> None:
    on = workflow("expire")["on"]
    (schedule,) = on["schedule"]
    assert re.fullmatch(r"\d+ \* \* \* \*", schedule["cron"]), "hourly"
    assert "workflow_dispatch" in on


def test_expire_lists_with_klustered_expired_json() -> None:
    wf = workflow("expire")
    listing = step(wf, "list", "expired")
    assert ".venv/bin/klustered expired --json" in listing["run"]
    assert wf["jobs"]["list"]["outputs"]["stacks"] == "${{ steps.expired.outputs.stacks }}"


def test_expire_destroys_each_stack_in_its_own_job() -> None:
    wf = workflow("expire")
    job = wf["jobs"]["destroy"]
    assert job["needs"] == "list"
    assert job["strategy"] == {
        "fail-fast": False,
        "matrix": {"stack": "${{ fromJSON(needs.list.outputs.stacks) }}"},
    }
    assert "needs.list.outputs.stacks != '[]'" in job["if"]
    destroy = [s for s in uses(wf, "destroy", PULUMI) if s["with"].get("command") == "destroy"]
    assert len(destroy) == 1
    assert destroy[0]["with"]["stack-name"] == "${{ matrix.stack }}"
    assert destroy[0]["if"] == "steps.backend.outputs.exists == 'true'"


def test_expire_destroys_in_its_own_environment_so_pull_requests_never_get_its_credentials() -> (
    None
):
    assert workflow("expire")["jobs"]["destroy"]["environment"] == "expire"
    assert "environment" not in workflow("preview")["jobs"]["preview"]


def test_expire_removes_the_stack_only_when_asked_and_only_after_a_destroy() -> None:
    wf = workflow("expire")
    remove = step(wf, "destroy", "remove")
    # Without --force, `stack rm` refuses a stack that still holds resources.
    assert remove["run"].strip().splitlines()[-1] == 'pulumi stack rm --yes --stack "$STACK"'
    assert remove["if"] == "steps.destroy.outcome == 'success' && env.REMOVE_STACK == 'true'"
    assert wf["jobs"]["destroy"]["env"]["REMOVE_STACK"] == (
        "${{ vars.KLUSTERED_REMOVE_EXPIRED_STACKS == 'true' }}"
    )


def test_expire_summarises_what_was_destroyed_even_after_failures() -> None:
    wf = workflow("expire")
    result = step(wf, "destroy", "Result")
    assert result["if"] == "always()"
    upload = uses(wf, "destroy", "actions/upload-artifact")[0]
    assert upload["if"] == "always()"
    summary = wf["jobs"]["summary"]
    assert summary["needs"] == ["list", "destroy"]
    assert summary["if"].startswith("always()")
    assert "GITHUB_STEP_SUMMARY" in step(wf, "summary", "What was destroyed")["run"]


# --- up ------------------------------------------------------------------------------------


def test_up_is_by_hand_with_the_stack_name_behind_an_approval_environment() -> None:
    wf = workflow("up")
    assert list(wf["on"]) == ["workflow_dispatch"]
    stack = wf["on"]["workflow_dispatch"]["inputs"]["stack"]
    assert stack["required"] is True and stack["type"] == "string"
    assert wf["jobs"]["up"]["environment"] == "episode"


def test_up_validates_then_runs_pulumi_up_on_the_named_stack() -> None:
    wf = workflow("up")
    job_steps = steps(wf, "up")
    assert job_steps[0]["name"] == "Check the stack name"
    (pulumi,) = uses(wf, "up", PULUMI)
    validate = step(wf, "up", "klustered validate")
    assert job_steps.index(validate) < job_steps.index(pulumi)
    assert pulumi["with"]["command"] == "up"
    assert pulumi["with"]["stack-name"] == "${{ inputs.stack }}"
    assert "upsert" not in pulumi["with"]
