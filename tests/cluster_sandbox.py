"""A node-shaped filesystem sandbox (bubblewrap) with recorder stubs for system commands.

The real bootstrap scripts run unchanged: /etc, /var, /opt, /run, /usr/local and
/sys/module are temp directories bound over the real paths, /usr is read-only, there is
no network, and every system command that would touch the machine (apt-get, systemctl,
kubeadm, modprobe, sysctl, curl, helm, ...) is a recorder that appends its argv to a log
and simulates just enough state for the scripts' own idempotence checks.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import stat
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

STUBBED = [
    *("apt-get", "apt-cache", "apt-mark", "dpkg-query", "systemctl", "hostnamectl"),
    *("swapon", "swapoff", "modprobe", "sysctl", "containerd", "curl", "gpg"),
    *("kubeadm", "crictl", "ctr", "helm", "kubectl", "dpkg", "haproxy"),
]

HELM_VERSION = "v3.19.0"
KUBEADM_LATEST = "v1.34.3"

RECORDER = (Path(__file__).parent / "cluster_recorder.sh").read_text(encoding="ascii")

CONTAINERD_DEFAULT = """version = 2
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
  BinaryName = ""
  SystemdCgroup = false
"""

MUTATING = [
    re.compile(p)
    for p in (
        r"^apt-get (.* )?(install|update|upgrade|dist-upgrade|remove|purge)( |$)",
        r"^apt-mark (hold|unhold)( |$)",
        r"^systemctl (enable|disable|start|stop|restart|reload|daemon-reload|mask)( |$)",
        r"^kubectl (apply|create|replace|delete|drain|taint|label)( |$)",
        r"^hostnamectl set-hostname( |$)",
        r"^swapoff( |$)",
        r"^modprobe( |$)",
        r"^sysctl (--system|-w|-p)( |$)",
        r"^kubeadm (init|join|reset|upgrade)( |$)",
        r"^crictl (pull|rmi)( |$)",
        r"^ctr( |$)",
        r"^helm (upgrade|install|uninstall|repo)( |$)",
        r"^curl (?!.*/healthz$)",  # a download; /healthz probes only read
        r"^gpg( |$)",
    )
]


def mutating(calls: list[str]) -> list[str]:
    """The recorded calls that would change the machine."""
    return [c for c in calls if any(p.search(c) for p in MUTATING)]


@dataclass
class NodeSandbox:
    """One node's filesystem, recorder state and stubs, all under a temp directory."""

    base: Path

    @property
    def root(self) -> Path:
        """The tree bound over the node's writable system paths."""
        return self.base / "root"

    @property
    def state(self) -> Path:
        """Recorder state (package db, units, call log) and download fixtures."""
        return self.base / "state"

    @property
    def stubs(self) -> Path:
        """Directory of recorder stubs, first on PATH."""
        return self.base / "stubs"

    @classmethod
    def create(cls, base: Path, *, nodes: list[str]) -> NodeSandbox:
        """Lay out a fresh Ubuntu-like node: swap on, nothing installed.

        `nodes` are the cluster's nodes as its API reports them: Ready, control planes
        with their role label and NoSchedule taint.
        """
        box = cls(base)
        for sub in ("etc", "var/lib", "opt", "run", "usr-local", "sys-module"):
            (box.root / sub).mkdir(parents=True, exist_ok=True)
        etc = box.root / "etc"
        for name in ("passwd", "group"):
            shutil.copy(f"/etc/{name}", etc / name)
        # /usr/bin/awk and friends are Debian alternatives: symlinks through /etc.
        shutil.copytree("/etc/alternatives", etc / "alternatives", symlinks=True)
        (etc / "hostname").write_text("ubuntu\n")
        (etc / "fstab").write_text(
            "UUID=0a1b2c3d / ext4 defaults 0 1\n/swap.img none swap sw 0 0\n"
        )
        (etc / "fstab").chmod(0o644)
        state = box.state
        (state / "fixtures").mkdir(parents=True)
        (state / "madison").mkdir()
        (state / "swaps").write_text("/swap.img\n")
        for sub in ("nodes", "roles", "taints", "api-up"):
            (state / sub).mkdir()
        for name in nodes:
            (state / "nodes" / name).write_text("True\n")
            if "-control-plane-" in name:
                (state / "roles" / name).write_text("control-plane\n")
                (state / "taints" / name).write_text("node-role.kubernetes.io/control-plane\n")
        (state / "arch").write_text("amd64\n")
        (state / "kubeadm-version").write_text(KUBEADM_LATEST + "\n")
        (state / "helm-version").write_text(HELM_VERSION)
        (state / "calls.log").write_text("")
        for pkg in ("kubeadm", "kubelet", "kubectl"):
            (state / "madison" / pkg).write_text(
                "".join(
                    f"   {pkg} | {v} | https://pkgs.k8s.io/core:/stable:/v1.34/deb  Packages\n"
                    for v in ("1.34.3-1.1", "1.34.2-1.1", "1.34.1-1.1")
                )
            )
        fixtures = state / "fixtures"
        (fixtures / "containerd-default.toml").write_text(CONTAINERD_DEFAULT)
        (fixtures / "Release.key").write_text("-----BEGIN PGP PUBLIC KEY BLOCK-----\n")
        box.stubs.mkdir()
        recorder = box.stubs / "recorder"
        recorder.write_text(RECORDER)
        recorder.chmod(0o755)
        for name in STUBBED:
            (box.stubs / name).symlink_to("recorder")
        for arch in ("amd64", "arm64"):
            box._helm_tarball(fixtures, RECORDER, arch)
        return box

    @staticmethod
    def _helm_tarball(fixtures: Path, helm_script: str, arch: str) -> None:
        name = f"helm-{HELM_VERSION}-linux-{arch}.tar.gz"
        buf = io.BytesIO()
        data = helm_script.encode("ascii")
        with tarfile.open(fileobj=buf, mode="w:gz") as tar:
            info = tarfile.TarInfo(f"linux-{arch}/helm")
            info.size = len(data)
            info.mode = 0o755
            tar.addfile(info, io.BytesIO(data))
        (fixtures / name).write_bytes(buf.getvalue())
        digest = hashlib.sha256(buf.getvalue()).hexdigest()
        (fixtures / f"{name}.sha256sum").write_text(f"{digest}  {name}\n")

    def run(
        self, script: str, *, timeout: float = 60, netns: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run `script` on stdin with bash inside the sandbox, as pulumi-command would.

        With `netns`, the sandbox shares that network namespace (to reach a real etcd);
        otherwise it has no network at all.
        """
        return subprocess.run(
            self.argv(netns=netns, command=["bash", "-s"]),
            input=script,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def argv(self, *, netns: str | None = None, command: list[str]) -> list[str]:
        """The bwrap command line that runs `command` in this node's sandbox."""
        r = self.root
        argv = [
            "bwrap",
            "--ro-bind", "/usr", "/usr",
            "--symlink", "usr/bin", "/bin",
            "--symlink", "usr/lib", "/lib",
            "--symlink", "usr/lib64", "/lib64",
            "--symlink", "usr/sbin", "/sbin",
            "--bind", str(r / "etc"), "/etc",
            "--bind", str(r / "var"), "/var",
            "--bind", str(r / "opt"), "/opt",
            "--bind", str(r / "run"), "/run",
            "--bind", str(r / "usr-local"), "/usr/local",
            "--proc", "/proc",
            "--dev", "/dev",
            "--ro-bind", "/sys", "/sys",
            "--bind", str(r / "sys-module"), "/sys/module",
            "--tmpfs", "/tmp",
            "--tmpfs", "/root",
            "--bind", str(self.state), "/state",
            "--ro-bind", str(self.stubs), "/stubs",
            "--unshare-pid", "--unshare-ipc", "--unshare-uts",
            *([] if netns else ["--unshare-net"]),
            "--die-with-parent",
            "--clearenv",
            "--setenv", "PATH", "/stubs:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin",
            "--setenv", "HOME", "/root",
            "--chdir", "/",
            *command,
        ]  # fmt: skip
        return ["ip", "netns", "exec", netns, *argv] if netns else argv

    def calls(self) -> list[str]:
        """Every recorded command line so far."""
        return (self.state / "calls.log").read_text().splitlines()

    def reset_calls(self) -> None:
        """Start a fresh call log."""
        (self.state / "calls.log").write_text("")

    def snapshot(self) -> dict[str, str]:
        """Path -> type, mode, sha256, mtime and inode of the node tree and recorder state.

        The call log is left out: it is compared separately.
        """
        result: dict[str, str] = {}
        for top in (self.root, self.state):
            for dirpath, dirnames, filenames in os.walk(top):
                for name in sorted(dirnames + filenames):
                    path = Path(dirpath) / name
                    rel = f"{top.name}/{path.relative_to(top)}"
                    if rel == "state/calls.log":
                        continue
                    st = path.lstat()
                    mode = stat.filemode(st.st_mode)
                    if stat.S_ISLNK(st.st_mode):
                        result[rel] = f"{mode} -> {os.readlink(path)}"
                    elif stat.S_ISREG(st.st_mode):
                        digest = hashlib.sha256(path.read_bytes()).hexdigest()
                        # mtime and inode too: rewriting a file with the same bytes is a change.
                        result[rel] = f"{mode} {digest} {st.st_mtime_ns} {st.st_ino}"
                    else:
                        result[rel] = mode
        return result
