"""A node-shaped bubblewrap sandbox for the Teleport scripts, with recorder stubs.

The rendered scripts run unchanged as root of a private filesystem (/etc, /var, /run are
temp directories), with no network; apt, systemd, curl and tctl are recorders that keep
state under /state (tests/teleport_recorder.sh): an agent "joins" when it starts with the
token the fake cluster accepts, and tctl stores resources and users as files.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

STUBBED = ("apt-get", "apt-mark", "dpkg-query", "systemctl", "curl", "tctl")
RECORDER = (Path(__file__).parent / "teleport_recorder.sh").read_text(encoding="ascii")
MUTATING = re.compile(
    r"^(apt-get (.* )?install|apt-mark hold|systemctl (enable|start|restart|stop|daemon-reload)"
    r"|curl .*/gpg$|tctl (create|rm|users rm|tokens add))"
)


@dataclass
class TeleportSandbox:
    """One machine's filesystem and recorder state under a temp directory."""

    base: Path

    @property
    def root(self) -> Path:
        """The tree bound over the machine's writable paths."""
        return self.base / "root"

    @property
    def state(self) -> Path:
        """Recorder state: packages, units, the fake cluster, the call log."""
        return self.base / "state"

    @classmethod
    def create(cls, base: Path, *, token: str, pins: list[str]) -> TeleportSandbox:
        """A fresh Ubuntu-like machine, and a cluster accepting `token` with `pins`."""
        box = cls(base)
        for sub in ("etc", "var/lib", "run", "stubs"):
            (box.base / ("stubs" if sub == "stubs" else f"root/{sub}")).mkdir(parents=True)
        etc = box.root / "etc"
        for name in ("passwd", "group"):
            shutil.copy(f"/etc/{name}", etc / name)
        shutil.copytree("/etc/alternatives", etc / "alternatives", symlinks=True)
        (etc / "os-release").write_text("ID=ubuntu\nVERSION_CODENAME=noble\n")
        box.state.mkdir()
        (box.state / "calls.log").write_text("")
        box.set_cluster(token=token, pins=pins)
        recorder = box.base / "stubs" / "recorder"
        recorder.write_text(RECORDER)
        recorder.chmod(0o755)
        for name in STUBBED:
            (box.base / "stubs" / name).symlink_to("recorder")
        return box

    def set_cluster(self, *, token: str, pins: list[str]) -> None:
        """What the fake cluster accepts and reports: its current token and CA pins."""
        (self.state / "valid-token").write_text(token + "\n")
        (self.state / "pins").write_text("".join(p + "\n" for p in pins))

    def run(self, script: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """Run `script` on stdin with bash as root of the sandbox, as pulumi-command does."""
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
            "--bind", str(r / "run"), "/run",
            "--proc", "/proc",
            "--dev", "/dev",
            "--tmpfs", "/tmp",
            "--tmpfs", "/root",
            "--bind", str(self.state), "/state",
            "--ro-bind", str(self.base / "stubs"), "/stubs",
            "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
            "--die-with-parent",
            "--clearenv",
            "--setenv", "PATH", "/stubs:/usr/local/bin:/usr/sbin:/usr/bin",
            "--setenv", "HOME", "/root",
            "--chdir", "/",
            "bash", "-s", "--", *args,
        ]  # fmt: skip
        return subprocess.run(
            argv, input=script, capture_output=True, text=True, timeout=timeout, check=False
        )

    def calls(self) -> list[str]:
        """Every recorded command line so far."""
        return (self.state / "calls.log").read_text().splitlines()

    def mutating_calls(self) -> list[str]:
        """The recorded calls that change the machine or the cluster."""
        return [c for c in self.calls() if MUTATING.search(c)]

    def reset_calls(self) -> None:
        """Start a fresh call log."""
        (self.state / "calls.log").write_text("")

    def snapshot(self) -> dict[str, str]:
        """Path -> mode, sha256, mtime and inode of the machine tree."""
        result: dict[str, str] = {}
        for dirpath, dirnames, filenames in os.walk(self.root):
            for name in sorted(dirnames + filenames):
                path = Path(dirpath) / name
                st = path.lstat()
                rel = str(path.relative_to(self.root))
                if stat.S_ISREG(st.st_mode):
                    digest = hashlib.sha256(path.read_bytes()).hexdigest()
                    result[rel] = f"{stat.filemode(st.st_mode)} {digest} {st.st_mtime_ns}"
                else:
                    result[rel] = stat.filemode(st.st_mode)
        return result
