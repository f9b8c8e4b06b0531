"""`pip install .` outside the repo gives a working `klustered` and importable components."""

from __future__ import annotations

import json
import subprocess
import sysconfig
import tomllib
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

    # The public API, as another project imports it, from the installed wheel.
    public = (
        "import sys, importlib.metadata as md\n"
        "from components.cluster import Cluster\n"
        "from components.machines import GcpMachine\n"
        "from components.mesh import Mesh\n"
        "from components.teleport import TeleportCluster\n"
        "from components.workload import Workload\n"
        "from breaks import Break, load_break\n"
        "from klustered.testing import plan_project, run_offline\n"
        "import klustered\n"
        "assert load_break('kubelet-maxpods').id == 'kubelet-maxpods'\n"
        "for obj in (Cluster, GcpMachine, Mesh, TeleportCluster, Workload, Break, plan_project,\n"
        "            run_offline):\n"
        "    print(sys.modules[obj.__module__].__file__)\n"
        "print(klustered.__version__ == md.version('klustered'))\n"
        "print(md.metadata('klustered')['License-Expression'])\n"
        "print(any(f.name == 'LICENSE' for f in md.files('klustered')))\n"
    )
    lines = subprocess.run(
        [str(python), "-c", public], check=True, capture_output=True, text=True, cwd=work
    ).stdout.splitlines()
    *files, same_version, licence, licence_file = lines
    assert len(files) == 8 and all(f.startswith(str(env_dir)) for f in files), files
    assert (same_version, licence, licence_file) == ("True", "Apache-2.0", "True")
    version = subprocess.run(
        [str(env_dir / "bin" / "klustered"), "--version"],
        check=True,
        capture_output=True,
        text=True,
        cwd=work,
    ).stdout
    declared = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    assert version == f"klustered {declared}\n"
