"""`pip install .` outside the repo gives a working `klustered` and importable components."""

from __future__ import annotations

import json
import subprocess
import sysconfig
import venv
from pathlib import Path

from conftest import REPO


def test_installed_package_works_outside_the_repo(tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    # Dependencies come from the test's own environment (appended to sys.path, after the
    # new venv's site-packages); the project itself is built and installed from source.
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(site, "outer-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", str(REPO)],
        check=True,
        timeout=300,
        cwd=tmp_path,
    )
    work = tmp_path / "elsewhere"
    work.mkdir()
    probe = (
        "import components.shell, components.nodes, breaks.catalog, klustered.config, sys;"
        "import klustered.dnssec.anchor as anchor;"
        "assert anchor.read_trust_anchor().ds, 'the root trust anchor is not in the package';"
        "sys.stdout.write(components.shell.__file__)"
    )
    where = subprocess.run(
        [str(python), "-c", probe], check=True, capture_output=True, text=True, cwd=work
    ).stdout
    assert str(env_dir) in where, where
    # Scripts ship as package data: the existing-machine reset renders from the wheel.
    reset = subprocess.run(
        [
            str(python),
            "-c",
            "from components.machines.existing import render_reset_script as r; print(r())",
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=work,
    ).stdout
    assert "kubeadm reset -f" in reset
    listed = subprocess.run(
        [str(env_dir / "bin" / "klustered"), "breaks", "list", "--json"],
        check=True,
        capture_output=True,
        text=True,
        cwd=work,
    )
    catalog = json.loads(listed.stdout)
    assert len(catalog) >= 25
    assert {"id", "title", "layer", "difficulty", "targets"} <= set(catalog[0])
