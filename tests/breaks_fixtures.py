"""A node-shaped sandbox for break scripts: a kubeadm node's files in a temp tree.

Scripts run unchanged inside bubblewrap with the tree bound over `/` (the host's /usr
is reachable read-only through symlinks), with recorder stubs first on PATH for the
system commands a break touches (systemctl, kubectl, crictl, iptables, sysctl, swapon,
curl, pgrep, ...). Every call is logged; trees are compared by sha256 and mode.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import stat
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from tests.kubeadm_manifests import KubeadmConfig, manifests

SANDBOX_DIR = ".sandbox"
HOST_USR = ".host/usr"
NOT_NODE_STATE = {".host", SANDBOX_DIR, "proc", "dev", "tmp"}
"""Top-level entries of the tree that are sandbox plumbing, not the node's files."""

PATH = f"/{SANDBOX_DIR}/stubs:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# --- a kubeadm control plane + worker's files (Kubernetes 1.34, containerd 1.7) --------

_MANIFESTS = manifests(KubeadmConfig())
KUBE_APISERVER = _MANIFESTS["kube-apiserver.yaml"]
KUBE_CONTROLLER_MANAGER = _MANIFESTS["kube-controller-manager.yaml"]
KUBE_SCHEDULER = _MANIFESTS["kube-scheduler.yaml"]
ETCD = _MANIFESTS["etcd.yaml"]
"""Rendered the way kubeadm 1.34 builds them (tests/kubeadm_manifests.py), not by hand."""

KUBELET_CONFIG = """\
apiVersion: kubelet.config.k8s.io/v1beta1
authentication:
  anonymous:
    enabled: false
  webhook:
    cacheTTL: 0s
    enabled: true
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
authorization:
  mode: Webhook
cgroupDriver: systemd
clusterDNS:
- 10.96.0.10
clusterDomain: cluster.local
containerRuntimeEndpoint: unix:///var/run/containerd/containerd.sock
healthzBindAddress: 127.0.0.1
healthzPort: 10248
kind: KubeletConfiguration
rotateCertificates: true
staticPodPath: /etc/kubernetes/manifests
"""

CONTAINERD_CONFIG = """\
disabled_plugins = []
imports = []
oom_score = 0
root = "/var/lib/containerd"
state = "/run/containerd"
version = 2

[grpc]
  address = "/run/containerd/containerd.sock"
  gid = 0
  max_recv_message_size = 16777216
  max_send_message_size = 16777216
  uid = 0

[plugins]

  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = "registry.k8s.io/pause:3.10"

    [plugins."io.containerd.grpc.v1.cri".containerd]
      default_runtime_name = "runc"

      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"

        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
          SystemdCgroup = true

    [plugins."io.containerd.grpc.v1.cri".registry]
      config_path = ""
"""

KUBEADM_DROPIN = (
    "# Note: This dropin only works with kubeadm and kubelet v1.11+\n"
    "[Service]\n"
    'Environment="KUBELET_KUBECONFIG_ARGS='
    "--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf "
    '--kubeconfig=/etc/kubernetes/kubelet.conf"\n'
    'Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"\n'
    "EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env\n"
    "EnvironmentFile=-/etc/default/kubelet\n"
    "ExecStart=\n"
    "ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS "
    "$KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS\n"
)

KUBELET_CONF = """\
apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: {ca}
    server: https://127.0.0.1:7443
  name: kubernetes
contexts:
- context:
    cluster: kubernetes
    user: system:node:blue-worker-1
  name: system:node:blue-worker-1@kubernetes
current-context: system:node:blue-worker-1@kubernetes
kind: Config
users:
- name: system:node:blue-worker-1
  user:
    client-certificate: /var/lib/kubelet/pki/kubelet-client-current.pem
    client-key: /var/lib/kubelet/pki/kubelet-client-current.pem
"""
"""kubeadm's kubelet.conf after TLS bootstrap, pointed at the node-local API balancer."""

HOSTS = "127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n10.254.0.3 blue-worker-1\n"

CILIUM_CONFLIST = """\
{
  "cniVersion": "0.3.1",
  "name": "cilium",
  "plugins": [
    {
       "type": "cilium-cni",
       "enable-debug": false,
       "log-file": "/var/run/cilium/cilium-cni.log"
    }
  ]
}
"""

FSTAB = """\
# /etc/fstab: static file system information.
LABEL=cloudimg-rootfs\t/\t ext4\tdiscard,errors=remount-ro\t0 1
LABEL=UEFI\t/boot/efi\tvfat\tumask=0077\t0 1
"""

SYSCTL_K8S = "net.ipv4.ip_forward = 1\nnet.bridge.bridge-nf-call-iptables = 1\n"

FAKE_KUBELET = '#!/bin/sh\necho "Kubernetes v1.34.1"\n'

ADMIN_CONF = """\
apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: {ca}
    server: https://10.254.0.1:6443
  name: kubernetes
contexts:
- context:
    cluster: kubernetes
    user: kubernetes-admin
  name: kubernetes-admin@kubernetes
current-context: kubernetes-admin@kubernetes
kind: Config
users:
- name: kubernetes-admin
  user:
    client-certificate-data: {cert}
    client-key-data: {key}
"""

# --- recorder stubs ------------------------------------------------------------------

_RECORD = f"""\
record() {{
  local line
  line="$(basename "$0")"
  for a in "$@"; do line+=$'\\t'"$a"; done
  printf '%s\\n' "$line" >>/{SANDBOX_DIR}/calls.log
}}
record "$@"
"""

STUBS: dict[str, str] = {
    name: "#!/bin/bash\n" + _RECORD
    for name in ("systemctl", "sysctl", "mkswap", "swapoff", "kubeadm", "ufw")
}
# kubectl keeps every document it is fed with `-f -` under /.sandbox/applied/, and prints
# a canned answer when its arguments match one (NodeSandbox.answer).
STUBS["kubectl"] = (
    "#!/bin/bash\n"
    + _RECORD
    + f"""\
for a in "$@"; do
  if [ "$a" = "-" ]; then
    mkdir -p /{SANDBOX_DIR}/applied
    cat >"/{SANDBOX_DIR}/applied/$(date +%s%N).yaml"
  fi
done
for m in /{SANDBOX_DIR}/answers/*.match; do
  [ -e "$m" ] || continue
  if grep -Eq -f "$m" <<<"$*"; then
    cat "${{m%.match}}.out"
    exit "$(cat "${{m%.match}}.rc" 2>/dev/null || echo 0)"
  fi
done
exit 0
"""
)
STUBS["swapon"] = (
    "#!/bin/bash\n" + _RECORD + '[ "${1:-}" = "--show" ] && [ -n "${2:-}" ] && exit 0\nexit 0\n'
)
STUBS["crictl"] = (
    "#!/bin/bash\n"
    + _RECORD
    + 'case "${1:-}" in ps) echo 0123abcd ;; pods) echo 4567cdef ;; esac\nexit 0\n'
)
# A download: a fake kubelet that reports the version in the URL; anything else is text.
STUBS["curl"] = (
    "#!/bin/bash\n"
    + _RECORD
    + """\
out="" url=""
while [ $# -gt 0 ]; do
  case "$1" in
    -o) out="$2"; shift 2 ;;
    -*) shift ;;
    *) url="$1"; shift ;;
  esac
done
if [[ "$url" =~ /release/(v[^/]+)/bin/.*/kubelet$ ]]; then
  body="$(printf '#!/bin/sh\\necho "Kubernetes %s"\\n' "${BASH_REMATCH[1]}")"
else
  body="fetched $url"
fi
if [ -n "$out" ]; then printf '%s\\n' "$body" >"$out"; fi
exit 0
"""
)
# iptables with state: rules live in /.sandbox/iptables.rules, one "CHAIN spec" per line.
STUBS["iptables"] = (
    "#!/bin/bash\n"
    + _RECORD
    + f"""\
rules=/{SANDBOX_DIR}/iptables.rules
touch "$rules"
op="$1"; shift
rule="$*"
case "$op" in
  -C) grep -Fxq -- "$rule" "$rules" ;;
  -I|-A) printf '%s\\n' "$rule" >>"$rules" ;;
  -D) grep -Fxq -- "$rule" "$rules" || exit 1
      awk -v r="$rule" '!done && $0 == r {{ done = 1; next }} {{ print }}' "$rules" >"$rules.new"
      mv "$rules.new" "$rules" ;;
  *) exit 0 ;;
esac
"""
)
# pgrep over a fake process table: one process per static pod manifest kubelet would
# run (hidden files are ignored, as kubelet does), its command line from the manifest.
STUBS["pgrep"] = (
    "#!/bin/bash\n"
    + _RECORD
    + """\
full=0 exact=0
while [ $# -gt 0 ]; do
  case "$1" in
    -f) full=1; shift ;;
    -x) exact=1; shift ;;
    --) shift; break ;;
    -*) shift ;;
    *) break ;;
  esac
done
pattern="$1"
dir=/etc/kubernetes/manifests
[ -f /var/lib/kubelet/config.yaml ] && \
  dir="$(sed -n 's/^staticPodPath: //p' /var/lib/kubelet/config.yaml)"
for m in "$dir"/*.yaml; do
  [ -e "$m" ] || continue
  cmd="$(sed -n '/^ *- command:/,/^ *[a-zA-Z]*:/{/command:/d;s/^ *- //p}' "$m" | tr '\\n' ' ')"
  name="${cmd%% *}"
  if [ "$exact" = 1 ] && [ "$full" = 0 ]; then
    [ "$name" = "$pattern" ] && exit 0
  elif [ "$full" = 1 ]; then
    grep -Eq -- "$pattern" <<<"$cmd" && exit 0
  else
    grep -Eq -- "$pattern" <<<"$name" && exit 0
  fi
done
exit 1
"""
)


# --- PKI -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pki:
    """A throwaway kubeadm PKI, PEM-encoded: the cluster and etcd CAs and the certificates
    breaks touch (apiserver serving, its etcd and kubelet clients, kubernetes-admin)."""

    ca_cert: bytes
    ca_key: bytes
    apiserver_key: bytes
    apiserver_cert: bytes
    admin_cert: bytes
    admin_key: bytes
    etcd_ca_cert: bytes
    etcd_client_cert: bytes
    etcd_client_key: bytes
    kubelet_client_cert: bytes
    kubelet_client_key: bytes


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem_key(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )


APISERVER_SANS = (
    ["blue-control-plane-1", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
     "kubernetes.default.svc.cluster.local"],
    ["10.96.0.1", "10.254.0.1"],
)  # fmt: skip


def make_pki() -> Pki:
    """CAs like kubeadm's and the leaf certificates kubeadm signs with them."""
    import datetime
    import ipaddress

    now = datetime.datetime.now(datetime.UTC)

    def ca(cn: str) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
        key = _key()
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256())
        )
        return cert, key

    def leaf(
        issuer: tuple[x509.Certificate, rsa.RSAPrivateKey],
        cn: str,
        org: str | None = None,
        sans: tuple[list[str], list[str]] | None = None,
        key: rsa.RSAPrivateKey | None = None,
    ) -> tuple[bytes, rsa.RSAPrivateKey]:
        key = key or _key()
        attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
        if org:
            attrs.insert(0, x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name(attrs))
            .issuer_name(issuer[0].subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=365))
        )
        if sans:
            names: list[x509.GeneralName] = [x509.DNSName(d) for d in sans[0]]
            names += [x509.IPAddress(ipaddress.ip_address(i)) for i in sans[1]]
            builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        cert = builder.sign(issuer[1], hashes.SHA256())
        return cert.public_bytes(serialization.Encoding.PEM), key

    cluster = ca("kubernetes")
    etcd_ca = ca("etcd-ca")
    apiserver_key = _key()
    apiserver, _ = leaf(cluster, "kube-apiserver", sans=APISERVER_SANS, key=apiserver_key)
    admin, admin_key = leaf(cluster, "kubernetes-admin", "kubeadm:cluster-admins")
    etcd_client, etcd_client_key = leaf(etcd_ca, "kube-apiserver-etcd-client")
    kubelet_client, kubelet_client_key = leaf(
        cluster, "kube-apiserver-kubelet-client", "kubeadm:cluster-admins"
    )
    return Pki(
        ca_cert=cluster[0].public_bytes(serialization.Encoding.PEM),
        ca_key=_pem_key(cluster[1]),
        apiserver_key=_pem_key(apiserver_key),
        apiserver_cert=apiserver,
        admin_cert=admin,
        admin_key=_pem_key(admin_key),
        etcd_ca_cert=etcd_ca[0].public_bytes(serialization.Encoding.PEM),
        etcd_client_cert=etcd_client,
        etcd_client_key=_pem_key(etcd_client_key),
        kubelet_client_cert=kubelet_client,
        kubelet_client_key=_pem_key(kubelet_client_key),
    )


@functools.lru_cache(maxsize=1)
def shared_pki() -> Pki:
    """One throwaway PKI for the whole test session (RSA key generation is slow)."""
    return make_pki()


# --- the sandbox -----------------------------------------------------------------------

FileState = tuple[str, int]
"""(sha256 of the content, or `link:<target>` or `dir`; permission bits)."""


def _write(path: Path, text: str | bytes, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, str):
        path.write_text(text, encoding="ascii")
    else:
        path.write_bytes(text)
    path.chmod(mode)


class NodeSandbox:
    """A kubeadm node's files in `root`, with scripts run inside bubblewrap."""

    def __init__(self, root: Path, pki: Pki) -> None:
        self.root = root
        self.pki = pki
        self._build()

    # building ------------------------------------------------------------------------

    def _build(self) -> None:
        r = self.root
        (r / HOST_USR).mkdir(parents=True)
        usr = r / "usr"
        for sub in ("bin", "sbin"):
            (usr / sub).mkdir(parents=True)
            for entry in os.scandir(f"/usr/{sub}"):
                os.symlink(f"/{HOST_USR}/{sub}/{entry.name}", usr / sub / entry.name)
        for sub in os.listdir("/usr"):
            if sub not in ("bin", "sbin", "local"):
                os.symlink(f"/{HOST_USR}/{sub}", usr / sub)
        for link, target in (("bin", "usr/bin"), ("sbin", "usr/sbin"), ("lib", "usr/lib")):
            os.symlink(target, r / link)
        if os.path.exists("/usr/lib64"):
            os.symlink("usr/lib64", r / "lib64")
        etc = r / "etc"
        etc.mkdir()
        for name in ("passwd", "group", "hosts", "nsswitch.conf", "ld.so.cache", "ld.so.conf"):
            if os.path.exists(f"/etc/{name}"):
                shutil.copy2(f"/etc/{name}", etc / name)
        for name in ("ld.so.conf.d", "alternatives", "ssl"):
            if os.path.isdir(f"/etc/{name}"):
                shutil.copytree(f"/etc/{name}", etc / name, symlinks=True)
        # binaries a break replaces or edits are real files of the node, not host links
        (usr / "bin" / "chmod").unlink()
        shutil.copy2("/usr/bin/chmod", usr / "bin" / "chmod")
        (usr / "bin" / "chmod").chmod(0o755)
        for name in ("kubectl", "kubelet"):
            link = usr / "bin" / name
            if link.is_symlink():
                link.unlink()
        _write(usr / "bin" / "kubectl", STUBS["kubectl"], 0o755)
        _write(usr / "bin" / "kubelet", FAKE_KUBELET, 0o755)
        # the node's own files
        k8s = etc / "kubernetes"
        _write(k8s / "manifests" / "kube-apiserver.yaml", KUBE_APISERVER, 0o600)
        _write(k8s / "manifests" / "kube-controller-manager.yaml", KUBE_CONTROLLER_MANAGER, 0o600)
        _write(k8s / "manifests" / "kube-scheduler.yaml", KUBE_SCHEDULER, 0o600)
        _write(k8s / "manifests" / "etcd.yaml", ETCD, 0o600)
        _write(k8s / "pki" / "ca.crt", self.pki.ca_cert)
        _write(k8s / "pki" / "ca.key", self.pki.ca_key, 0o600)
        _write(k8s / "pki" / "apiserver.key", self.pki.apiserver_key, 0o600)
        _write(k8s / "pki" / "apiserver.crt", self.pki.apiserver_cert)
        _write(k8s / "pki" / "apiserver-etcd-client.crt", self.pki.etcd_client_cert)
        _write(k8s / "pki" / "apiserver-etcd-client.key", self.pki.etcd_client_key, 0o600)
        _write(k8s / "pki" / "apiserver-kubelet-client.crt", self.pki.kubelet_client_cert)
        _write(k8s / "pki" / "apiserver-kubelet-client.key", self.pki.kubelet_client_key, 0o600)
        _write(k8s / "pki" / "etcd" / "ca.crt", self.pki.etcd_ca_cert)
        import base64

        def b64(data: bytes) -> str:
            return base64.b64encode(data).decode()

        _write(
            k8s / "admin.conf",
            ADMIN_CONF.format(
                ca=b64(self.pki.ca_cert),
                cert=b64(self.pki.admin_cert),
                key=b64(self.pki.admin_key),
            ),
            0o600,
        )
        _write(
            k8s / "kubelet.conf",
            KUBELET_CONF.format(ca=b64(self.pki.ca_cert)),
            0o600,
        )
        _write(etc / "hosts", HOSTS)
        _write(etc / "cni/net.d/05-cilium.conflist", CILIUM_CONFLIST, 0o600)
        (r / "usr/local/bin").mkdir(parents=True, exist_ok=True)
        (r / "usr/local/sbin").mkdir(parents=True, exist_ok=True)
        (etc / "systemd/system").mkdir(parents=True, exist_ok=True)
        _write(r / "var/lib/kubelet/config.yaml", KUBELET_CONFIG)
        _write(r / "var/lib/kubelet/kubeadm-flags.env", 'KUBELET_KUBEADM_ARGS=""\n')
        _write(r / "var/lib/etcd/member/.keep", "")
        _write(etc / "containerd" / "config.toml", CONTAINERD_CONFIG)
        _write(
            etc / "systemd/system/kubelet.service.d/10-kubeadm.conf",
            KUBEADM_DROPIN,
        )
        _write(etc / "fstab", FSTAB)
        _write(etc / "sysctl.d" / "k8s.conf", SYSCTL_K8S)
        (r / "run" / "containerd").mkdir(parents=True)
        (r / "root").mkdir(mode=0o700)
        stubs = r / SANDBOX_DIR / "stubs"
        for name, text in STUBS.items():
            _write(stubs / name, text, 0o755)
        (r / SANDBOX_DIR / "calls.log").touch()

    # running -------------------------------------------------------------------------

    def run(
        self, script: str, env: Mapping[str, str] | None = None, *, verbose: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """Run `script` (sent on stdin, as pulumi-command does) as root inside the sandbox.

        `verbose` shows a step's own output (KLUSTERED_STEP_VERBOSE=1), for test failures.
        """
        args = [
            "bwrap",
            "--bind", str(self.root), "/",
            "--ro-bind", "/usr", f"/{HOST_USR}",
            "--proc", "/proc",
            "--dev", "/dev",
            "--tmpfs", "/tmp",
            "--unshare-pid",
            "--die-with-parent",
            "--clearenv",
            "--setenv", "PATH", PATH,
            "--setenv", "HOME", "/root",
            "--chdir", "/",
        ]  # fmt: skip
        full_env = {"KLUSTERED_STEP_VERBOSE": "1" if verbose else "0", **(env or {})}
        for name, value in full_env.items():
            args += ["--setenv", name, value]
        args += ["bash", "-s"]
        return subprocess.run(
            args, input=script, capture_output=True, text=True, timeout=120, check=False
        )

    # observing -----------------------------------------------------------------------

    def snapshot(self) -> dict[str, FileState]:
        """Every node file, link and directory of the tree, by path from `/`."""
        out: dict[str, FileState] = {}
        for top in sorted(os.listdir(self.root)):
            if top in NOT_NODE_STATE:
                continue
            stack = [self.root / top]
            while stack:
                path = stack.pop()
                rel = "/" + str(path.relative_to(self.root))
                st = path.lstat()
                mode = stat.S_IMODE(st.st_mode)
                if stat.S_ISLNK(st.st_mode):
                    out[rel] = (f"link:{os.readlink(path)}", 0)
                elif stat.S_ISDIR(st.st_mode):
                    out[rel] = ("dir", mode)
                    stack.extend(path.iterdir())
                else:
                    out[rel] = (hashlib.sha256(path.read_bytes()).hexdigest(), mode)
        return out

    def calls(self) -> list[list[str]]:
        """Every recorded stub call, as argv lists, in order."""
        text = (self.root / SANDBOX_DIR / "calls.log").read_text()
        return [line.split("\t") for line in text.splitlines()]

    def clear_calls(self) -> None:
        """Forget the recorded calls."""
        (self.root / SANDBOX_DIR / "calls.log").write_text("")

    def read(self, path: str) -> str:
        """The text of a node file."""
        return (self.root / path.lstrip("/")).read_text()

    def applied(self) -> list[Path]:
        """The files holding what kubectl was fed on stdin, in order."""
        return sorted((self.root / SANDBOX_DIR / "applied").glob("*.yaml"))

    def answer(self, pattern: str, output: str, rc: int = 0) -> None:
        """Make the kubectl stub print `output` (and exit `rc`) when its args match `pattern`."""
        answers = self.root / SANDBOX_DIR / "answers"
        answers.mkdir(exist_ok=True)
        n = len(list(answers.glob("*.match")))
        (answers / f"{n:03d}.match").write_text(pattern + "\n")
        (answers / f"{n:03d}.out").write_text(output)
        (answers / f"{n:03d}.rc").write_text(str(rc))

    def iptables_rules(self) -> list[str]:
        """The rules the iptables stub holds."""
        rules = self.root / SANDBOX_DIR / "iptables.rules"
        return rules.read_text().splitlines() if rules.exists() else []


def changed(before: Mapping[str, FileState], after: Mapping[str, FileState]) -> set[str]:
    """Paths added, removed or changed between two snapshots."""
    return {p for p in set(before) | set(after) if before.get(p) != after.get(p)}


def without_empty_state_dirs(snap: Mapping[str, FileState]) -> dict[str, FileState]:
    """`snap` minus the empty break state directories under /var/lib/klustered."""
    out = dict(snap)
    prefix = "/var/lib/klustered"
    dirs = sorted((p for p in snap if p == prefix or p.startswith(prefix + "/")), reverse=True)
    for d in dirs:
        if out.get(d, ("", 0))[0] == "dir" and not any(
            p.startswith(d + "/") for p in out if p != d
        ):
            del out[d]
    return out
