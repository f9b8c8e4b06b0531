"""The Equinix Metal SDK is imported only by stacks that use it (it cannot load on 3.12+).

Each check runs in a fresh interpreter, so no other test's imports can hide or fake one.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from klustered.equinix_sdk import sdk_load_error

REPO = Path(__file__).resolve().parents[2]
SDKS = ("pulumi_equinix_metal", "pulumiverse_scaleway")

# Plan a stack file with the real program, then report which substrate SDKs were imported.
PLAN_AND_REPORT = f"""
import json, sys
from klustered.plan import plan_stack
from klustered.stackfile import load_stack_file
plan = plan_stack(load_stack_file(sys.argv[1]))
report = {{"resources": len(plan.run.registrations)}}
report["imported"] = sorted(m for m in {SDKS!r} if m in sys.modules)
print(json.dumps(report))
"""


def _plan(path: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", PLAN_AND_REPORT, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def _stack(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / f"Pulumi.{name}.yaml"
    path.write_text(body, encoding="ascii")
    return path


GCP_ONLY = """
config:
  klustered:machines: {gcp: {project: test-project}}
  klustered:teams:
    - name: blue
      workers: 1
"""

EQUINIX = """
config:
  klustered:machines:
    provider: equinix-metal
    equinixMetal: {project: 00000000-0000-4000-8000-000000000001}
  klustered:teams:
    - name: old
      workers: 0
"""


def test_the_example_stack_never_imports_the_equinix_sdk() -> None:
    report = _plan(REPO / "stacks" / "Pulumi.episode-42.yaml")
    assert report["imported"] == ["pulumiverse_scaleway"]  # its green team runs on Scaleway
    assert isinstance(report["resources"], int) and report["resources"] > 100


def test_a_gcp_stack_imports_neither_bare_metal_sdk(tmp_path: Path) -> None:
    report = _plan(_stack(tmp_path, "gcp", GCP_ONLY))
    assert report["imported"] == []


def test_the_cli_imports_no_substrate_sdk_to_validate(tmp_path: Path) -> None:
    path = _stack(tmp_path, "gcp", GCP_ONLY)
    probe = (
        "import sys, runpy; sys.argv = ['klustered', 'validate', sys.argv[1]]\n"
        "try:\n    runpy.run_module('klustered', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        f"print(sorted(m for m in {SDKS!r} if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=REPO,
    )
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stderr


@pytest.mark.skipif(
    sdk_load_error() is not None, reason="pulumi-equinix-metal does not load on this Python"
)
def test_a_stack_on_equinix_metal_does_import_it(tmp_path: Path) -> None:
    # The positive control: the probe sees the import when a stack needs it.
    report = _plan(_stack(tmp_path, "old", EQUINIX))
    assert report["imported"] == ["pulumi_equinix_metal"]
