"""Node-level catalog breaks against a node-shaped sandbox (a kubeadm node's files).

For each break: break.sh changes what its scenario says, a second run changes nothing
more, solve.sh restores every file byte for byte (empty state directories under
/var/lib/klustered may stay: stated equivalence), and a second solve is a no-op.
"""

from __future__ import annotations

import base64
import json
import os
import platform
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.x509.oid import NameOID

from breaks.catalog import load_break
from breaks.render import render_steps
from tests.breaks_fixtures import (
    NodeSandbox,
    Pki,
    changed,
    shared_pki,
    without_empty_state_dirs,
)
from tests.tools import bwrap_missing

pytestmark = pytest.mark.sandbox

_WHY = bwrap_missing()


@pytest.fixture(scope="module")
def pki() -> Pki:
    return shared_pki()


@pytest.fixture
def node(pki: Pki) -> Iterator[NodeSandbox]:
    if _WHY:
        pytest.skip(_WHY)
    root = Path(tempfile.mkdtemp(prefix="klustered-node-"))
    try:
        yield NodeSandbox(root / "node", pki)
    finally:
        subprocess.run(["chattr", "-R", "-f", "-i", str(root / "node" / "etc")], check=False)
        shutil.rmtree(root, ignore_errors=True)


def _calls_named(node: NodeSandbox, name: str) -> list[list[str]]:
    return [c[1:] for c in node.calls() if c[0] == name]


# --- what each break must change -------------------------------------------------------


def swap_reenabled(node: NodeSandbox, diff: set[str]) -> None:
    assert "/swapfile" in diff
    assert (node.root / "swapfile").stat().st_size == 1024 * 1024
    assert (node.root / "swapfile").stat().st_mode & 0o777 == 0o600
    assert node.read("/etc/fstab").endswith("/swapfile none swap sw 0 0\n")
    assert ["/swapfile"] in _calls_named(node, "swapon")
    assert ["restart", "kubelet"] in _calls_named(node, "systemctl")


def chmod_x_kubectl(node: NodeSandbox, diff: set[str]) -> None:
    assert {"/usr/bin/kubectl", "/usr/bin/chmod"} <= diff
    for name in ("kubectl", "chmod"):
        assert (node.root / "usr/bin" / name).stat().st_mode & 0o111 == 0


def iptables_drop_kubelet_port(node: NodeSandbox, diff: set[str]) -> None:
    assert node.iptables_rules() == [
        "INPUT -p tcp --dport 10250 -m comment --comment kubelet-healthz -j DROP"
    ]


def containerd_registry_redirect(node: NodeSandbox, diff: set[str]) -> None:
    hosts = "/etc/containerd/certs.d/ghcr.io/hosts.toml"
    assert {hosts, "/etc/containerd/config.toml"} <= diff
    assert node.read(hosts).startswith('server = "https://ghcr.mirror.internal"\n')
    assert 'config_path = "/etc/containerd/certs.d"' in node.read("/etc/containerd/config.toml")
    assert ["restart", "containerd"] in _calls_named(node, "systemctl")
    assert ["rmi", "ghcr.io/rawkodeacademy/klustered:v2"] in _calls_named(node, "crictl")


def containerd_socket_moved(node: NodeSandbox, diff: set[str]) -> None:
    assert "/etc/containerd/config.toml" in diff
    config = node.read("/etc/containerd/config.toml")
    assert 'address = "/run/containerd/containerd-1.sock"' in config
    assert ["restart", "containerd"] in _calls_named(node, "systemctl")


def kubelet_maxpods(node: NodeSandbox, diff: set[str]) -> None:
    assert "/var/lib/kubelet/config.yaml" in diff
    assert node.read("/var/lib/kubelet/config.yaml").endswith("\nmaxPods: 3\n")
    assert ["restart", "kubelet"] in _calls_named(node, "systemctl")


def kubelet_static_pod_path(node: NodeSandbox, diff: set[str]) -> None:
    config = node.read("/var/lib/kubelet/config.yaml")
    assert "\nstaticPodPath: /etc/kubernetes/manifest\n" in config
    assert ["restart", "kubelet"] in _calls_named(node, "systemctl")


def kubelet_old_binary(node: NodeSandbox, diff: set[str]) -> None:
    assert "/usr/bin/kubelet" in diff
    out = subprocess.run(
        [str(node.root / "usr/bin/kubelet"), "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "Kubernetes v1.23.17"
    downloads = [c for c in _calls_named(node, "curl") if c[-1].startswith("https://dl.k8s.io")]
    arch = "arm64" if platform.machine() == "aarch64" else "amd64"
    assert downloads[0][-1] == f"https://dl.k8s.io/release/v1.23.17/bin/linux/{arch}/kubelet"


def controller_manager_no_replicaset(node: NodeSandbox, diff: set[str]) -> None:
    manifest = node.read("/etc/kubernetes/manifests/kube-controller-manager.yaml")
    assert "- --controllers=*,bootstrapsigner,tokencleaner,-replicaset-controller\n" in manifest
    assert ["-n", "default", "delete", "pod", "-l", "app=klustered", "--wait=false"] in (
        _calls_named(node, "kubectl")
    )


def scheduler_hidden(node: NodeSandbox, diff: set[str]) -> None:
    assert diff == {
        "/etc/kubernetes/manifests/kube-scheduler.yaml",
        "/etc/kubernetes/manifests/.kube-scheduler.yaml",
    }
    assert not (node.root / "etc/kubernetes/manifests/kube-scheduler.yaml").exists()
    assert ["-n", "default", "delete", "pod", "-l", "app=klustered", "--wait=false"] in (
        _calls_named(node, "kubectl")
    )


def etcd_liveness_probe_path(node: NodeSandbox, diff: set[str]) -> None:
    manifest = node.read("/etc/kubernetes/manifests/etcd.yaml")
    liveness = manifest.split("livenessProbe:")[1].split("readinessProbe:")[0]
    assert "path: /healthz\n" in liveness
    assert manifest.count("path: /readyz\n") == 2, "readiness and startup probes untouched"


def apiserver_key_corrupted(node: NodeSandbox, diff: set[str]) -> None:
    key = node.read("/etc/kubernetes/pki/apiserver.key")
    assert key.rstrip().splitlines()[-1] == "-----END R5A PRIVATE KEY-----"
    assert ["stop", "0123abcd"] in _calls_named(node, "crictl")


def admin_kubeconfig_downgraded(node: NodeSandbox, diff: set[str]) -> None:
    assert "/etc/kubernetes/admin.conf" in diff
    conf = node.read("/etc/kubernetes/admin.conf")
    data = conf.split("client-certificate-data: ")[1].split("\n")[0]
    cert = x509.load_pem_x509_certificate(base64.b64decode(data))
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "kubernetes-admin"
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME) == []
    ca = x509.load_pem_x509_certificate(node.pki.ca_cert)
    ca.public_key().verify(  # type: ignore[union-attr,call-arg]
        cert.signature,
        cert.tbs_certificate_bytes,
        padding.PKCS1v15(),  # type: ignore[arg-type]
        cert.signature_hash_algorithm,  # type: ignore[arg-type]
    )


def _attrs(node: NodeSandbox, path: str) -> str:
    out = subprocess.run(
        ["lsattr", "-d", str(node.root / path.lstrip("/"))], capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    return out.stdout.split()[0]


def hosts_hijack_registry(node: NodeSandbox, diff: set[str]) -> None:
    assert diff == {"/etc/hosts", "/var/lib/klustered", "/var/lib/klustered/breaks"} | {
        p for p in diff if p.startswith("/var/lib/klustered/breaks/hosts-hijack-registry")
    }
    assert node.read("/etc/hosts").endswith("\n127.0.0.1 ghcr.io\n")
    assert "i" in _attrs(node, "/etc/hosts"), "immutable: root's edits fail"
    assert ["rmi", "ghcr.io/rawkodeacademy/klustered:v2"] in _calls_named(node, "crictl")


def overlay_udp_dropped(node: NodeSandbox, diff: set[str]) -> None:
    unit = "/etc/systemd/system/klustered-netcheck"
    assert {f"{unit}.service", f"{unit}.timer"} <= diff
    service = node.read(f"{unit}.service")
    assert "iptables -I INPUT -p udp --dport 8472" in service
    assert "OnUnitActiveSec=60s" in node.read(f"{unit}.timer")
    assert ["enable", "--now", "klustered-netcheck.timer"] in _calls_named(node, "systemctl")
    assert node.iptables_rules() == [
        "INPUT -p udp --dport 8472 -m comment --comment netcheck -j DROP"
    ]


def kubelet_cluster_dns(node: NodeSandbox, diff: set[str]) -> None:
    config = yaml.safe_load(node.read("/var/lib/kubelet/config.yaml"))
    assert config["clusterDNS"] == ["10.96.0.1"]
    assert ["restart", "kubelet"] in _calls_named(node, "systemctl")
    assert ["stopp", "4567cdef"] in _calls_named(node, "crictl")


def kubelet_eviction_thresholds(node: NodeSandbox, diff: set[str]) -> None:
    config = yaml.safe_load(node.read("/var/lib/kubelet/config.yaml"))
    assert config["evictionHard"]["nodefs.available"] == "99%"
    assert config["staticPodPath"] == "/etc/kubernetes/manifests", "the rest is untouched"
    assert ["restart", "kubelet"] in _calls_named(node, "systemctl")


def kubelet_kubeconfig_server(node: NodeSandbox, diff: set[str]) -> None:
    conf = yaml.safe_load(node.read("/etc/kubernetes/kubelet.conf"))
    assert conf["clusters"][0]["cluster"]["server"] == "https://127.0.0.1:16443"
    assert ["restart", "kubelet"] in _calls_named(node, "systemctl")


def kubectl_wrapper_on_path(node: NodeSandbox, diff: set[str]) -> None:
    wrapper = node.root / "usr/local/bin/kubectl"
    assert wrapper.stat().st_mode & 0o777 == 0o755
    node.clear_calls()
    # A node's own PATH: /usr/local/bin comes before /usr/bin (no test stubs first).
    path = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
    ran = node.run(
        "kubectl -n default set image deployment/klustered "
        "klustered=ghcr.io/rawkodeacademy/klustered:v2 </dev/null",
        path,
    )
    assert ran.returncode == 0, ran.stderr
    assert _calls_named(node, "kubectl")[-1][-1] == "klustered=ghcr.io/rawkodeacademy/klustered:v1"
    verify = render_steps(load_break("kubectl-wrapper-on-path"))["verify"]
    red = node.run(verify, path)
    assert red.returncode == 1
    assert "resolves to /usr/local/bin/kubectl" in red.stderr
    (node.root / "usr/local/bin/kubectl").rename(node.root / "kubectl.aside")
    assert node.run(verify, path).returncode == 0
    (node.root / "kubectl.aside").rename(node.root / "usr/local/bin/kubectl")


def containerd_sandbox_image(node: NodeSandbox, diff: set[str]) -> None:
    config = node.read("/etc/containerd/config.toml")
    assert '    sandbox_image = "registry.k8s.io/pause:3.01"\n' in config
    assert ["restart", "containerd"] in _calls_named(node, "systemctl")
    assert ["rmp", "4567cdef"] in _calls_named(node, "crictl")


def cni_decoy_conflist(node: NodeSandbox, diff: set[str]) -> None:
    decoy = json.loads(node.read("/etc/cni/net.d/00-klustered.conflist"))
    assert decoy["plugins"][0]["type"] == "ptp"
    assert sorted(os.listdir(node.root / "etc/cni/net.d"))[0] == "00-klustered.conflist"
    patch = next(c for c in _calls_named(node, "kubectl") if "patch" in c)
    assert patch[:4] == ["-n", "kube-system", "patch", "daemonset"]
    assert json.loads(patch[-1])["spec"]["template"]["spec"]["nodeSelector"] == {
        "klustered.dev/cni": "disabled"
    }


def _manifest(node: NodeSandbox, name: str) -> dict[str, object]:
    doc = yaml.safe_load(node.read(f"/etc/kubernetes/manifests/{name}.yaml"))
    assert isinstance(doc, dict)
    return doc


def _command(node: NodeSandbox, name: str) -> list[str]:
    return list(_manifest(node, name)["spec"]["containers"][0]["command"])  # type: ignore[index]


def apiserver_always_deny(node: NodeSandbox, diff: set[str]) -> None:
    command = _command(node, "kube-apiserver")
    assert "--authorization-mode=Node,AlwaysDeny,RBAC" in command
    assert len(command) == len(set(command))


def apiserver_etcd_servers_wrong(node: NodeSandbox, diff: set[str]) -> None:
    assert "--etcd-servers=https://127.0.0.1:2397" in _command(node, "kube-apiserver")


def scheduler_profile_renamed(node: NodeSandbox, diff: set[str]) -> None:
    pod = _manifest(node, "kube-scheduler")
    container = pod["spec"]["containers"][0]  # type: ignore[index]
    profile = "/etc/kubernetes/scheduler-profile.yaml"
    assert container["command"][:2] == ["kube-scheduler", f"--config={profile}"]
    assert {"mountPath": profile, "name": "profile", "readOnly": True} in container["volumeMounts"]
    assert {"hostPath": {"path": profile, "type": "File"}, "name": "profile"} in pod["spec"][
        "volumes"
    ]  # type: ignore[index]
    config = yaml.safe_load(node.read(profile))
    assert config["profiles"] == [{"schedulerName": "default-scheduIer"}]
    assert config["clientConnection"]["kubeconfig"] == "/etc/kubernetes/scheduler.conf"
    assert ["-n", "default", "delete", "pod", "-l", "app=klustered", "--wait=false"] in (
        _calls_named(node, "kubectl")
    )


def apiserver_cert_expired(node: NodeSandbox, diff: set[str]) -> None:
    import datetime

    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    cert = x509.load_pem_x509_certificate(
        (node.root / "etc/kubernetes/pki/apiserver.crt").read_bytes()
    )
    original = x509.load_pem_x509_certificate(node.pki.apiserver_cert)
    now = datetime.datetime.now(datetime.UTC)
    assert cert.not_valid_after_utc < now - datetime.timedelta(days=6)
    assert cert.subject == original.subject
    sans = x509.SubjectAlternativeName
    assert cert.extensions.get_extension_for_class(sans).value == (
        original.extensions.get_extension_for_class(sans).value
    )
    key = load_pem_private_key(node.pki.apiserver_key, None)
    assert cert.public_key() == key.public_key()
    ca = x509.load_pem_x509_certificate(node.pki.ca_cert)
    cert.verify_directly_issued_by(ca)
    assert ["stop", "0123abcd"] in _calls_named(node, "crictl")


def apiserver_etcd_client_cert_swapped(node: NodeSandbox, diff: set[str]) -> None:
    pki = node.root / "etc/kubernetes/pki"
    for ext in ("crt", "key"):
        assert (pki / f"apiserver-etcd-client.{ext}").read_bytes() == (
            pki / f"apiserver-kubelet-client.{ext}"
        ).read_bytes()
    assert ["stop", "0123abcd"] in _calls_named(node, "crictl")


@dataclass(frozen=True)
class Case:
    break_id: str
    check: Callable[[NodeSandbox, set[str]], None]
    params: dict[str, object] = field(default_factory=dict)


CASES = [
    Case("swap-reenabled", swap_reenabled, {"sizeMb": 1}),
    Case("chmod-x-kubectl", chmod_x_kubectl),
    Case("iptables-drop-kubelet-port", iptables_drop_kubelet_port),
    Case("containerd-registry-redirect", containerd_registry_redirect),
    Case("containerd-socket-moved", containerd_socket_moved, {"settleSeconds": 0}),
    Case("kubelet-maxpods", kubelet_maxpods, {"maxPods": 3}),
    Case("kubelet-static-pod-path", kubelet_static_pod_path),
    Case("kubelet-old-binary", kubelet_old_binary, {"settleSeconds": 0}),
    Case(
        "controller-manager-no-replicaset", controller_manager_no_replicaset, {"settleSeconds": 0}
    ),
    Case("scheduler-hidden", scheduler_hidden),
    Case("etcd-liveness-probe-path", etcd_liveness_probe_path),
    Case("apiserver-key-corrupted", apiserver_key_corrupted),
    Case("admin-kubeconfig-downgraded", admin_kubeconfig_downgraded),
    Case("hosts-hijack-registry", hosts_hijack_registry),
    Case("overlay-udp-dropped", overlay_udp_dropped),
    Case("kubelet-cluster-dns", kubelet_cluster_dns),
    Case("kubelet-eviction-thresholds", kubelet_eviction_thresholds),
    Case("kubelet-kubeconfig-server", kubelet_kubeconfig_server),
    Case("kubectl-wrapper-on-path", kubectl_wrapper_on_path),
    Case("containerd-sandbox-image", containerd_sandbox_image),
    Case("cni-decoy-conflist", cni_decoy_conflist),
    Case("apiserver-always-deny", apiserver_always_deny),
    Case("apiserver-etcd-servers-wrong", apiserver_etcd_servers_wrong),
    Case("scheduler-profile-renamed", scheduler_profile_renamed),
    Case("apiserver-cert-expired", apiserver_cert_expired),
    Case("apiserver-etcd-client-cert-swapped", apiserver_etcd_client_cert_swapped),
]


def _run(node: NodeSandbox, script: str, step: str) -> None:
    result = node.run(script)
    assert result.returncode == 0, f"{step} failed:\n{result.stdout}\n{result.stderr}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.break_id)
def test_break_bites_and_solve_restores_the_node(node: NodeSandbox, case: Case) -> None:
    steps = render_steps(load_break(case.break_id), case.params)
    before = node.snapshot()

    _run(node, steps["break"], "break")
    broken = node.snapshot()
    case.check(node, changed(before, broken))

    _run(node, steps["break"], "second break")
    assert changed(broken, node.snapshot()) == set(), "a second break run changed files"

    _run(node, steps["solve"], "solve")
    solved = node.snapshot()
    assert changed(without_empty_state_dirs(before), without_empty_state_dirs(solved)) == set()
    assert node.iptables_rules() == []

    _run(node, steps["solve"], "second solve")
    assert changed(solved, node.snapshot()) == set(), "a second solve run changed files"
    assert "i" not in _attrs(node, "/etc/hosts"), "no file is left immutable"


def test_every_node_level_catalog_break_has_a_sandbox_case() -> None:
    from breaks.catalog import load_catalog

    node_level = {
        s.id
        for s in load_catalog()
        if not s.is_api and s.spec.layer is not None and s.spec.layer.value != "etcd"
    }
    assert node_level == {c.break_id for c in CASES}


def test_sandbox_process_table_follows_the_static_pod_manifests(node: NodeSandbox) -> None:
    assert node.run("pgrep -x kube-scheduler").returncode == 0
    assert node.run("pgrep -f -- '--controllers=.*bootstrapsigner'").returncode == 0
    assert node.run("pgrep -x kube-proxy").returncode == 1
    hidden = node.root / "etc/kubernetes/manifests"
    (hidden / "kube-scheduler.yaml").rename(hidden / ".kube-scheduler.yaml")
    assert node.run("pgrep -x kube-scheduler").returncode == 1


def test_a_klusteredbench_node_level_scenario_runs_unchanged(node: NodeSandbox) -> None:
    from breaks.scenario import load_scenario

    scenario = load_scenario(
        Path(__file__).resolve().parents[1] / "stacks/klusteredbench/scenarios/controller-flag"
    )
    assert scenario.targets == "control-plane"
    steps = render_steps(scenario)
    before = node.snapshot()
    _run(node, steps["break"], "break")
    command = _command(node, "kube-controller-manager")
    assert "--controllers=*,-deployment-controller,-replicaset-controller" in command
    assert ["delete", "pod", "-l", "app=klustered", "--wait=false"] in _calls_named(node, "kubectl")
    node.answer("get node", "127.0.0.1")
    node.run(steps["solve"].replace("kb_wait 300 kb_app_ok", "true"))
    assert changed(before, node.snapshot()) == set(), "kubeadm's own flags are back"
