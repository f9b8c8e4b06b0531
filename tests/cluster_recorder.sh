#!/usr/bin/env bash
# Recorder stub: log argv, then simulate just enough node state.
# State under /state: dpkg/ (installed packages), systemd/ (units), nodes/<name> (Ready
# status as the API reports it), roles/<name>, taints/<name>, secrets/<name>/<key>,
# api-up/<address> (answers /healthz), kubeadm-fail-<verb> (failures still to inject).
set -euo pipefail
cmd="$(basename "$0")"
S=/state
printf '%s\n' "$cmd $*" >>"$S/calls.log"
after() { # after FLAG ARGS...: the argument following FLAG
  local flag="$1"; shift
  while [ $# -gt 1 ]; do [ "$1" = "$flag" ] && { echo "$2"; return; }; shift; done
  return 1
}
# positional ARGS...: the arguments that are not options (options with a value: -o, -n, -l, -f).
positional() {
  local skip=0 arg
  for arg in "$@"; do
    if [ "$skip" = 1 ]; then skip=0; continue; fi
    case "$arg" in
    -o | -n | -l | -f | --name | --state | --kubeconfig) skip=1 ;;
    -*) ;;
    *) printf '%s\n' "$arg" ;;
    esac
  done
}
# fail_once VERB: true (and one injected failure used up) when VERB should fail now.
fail_once() {
  local f="$S/kubeadm-fail-$1" n
  [ -f "$f" ] || return 1
  n="$(cat "$f")"
  [ "$n" -gt 0 ] || return 1
  echo $((n - 1)) >"$f"
}
case "$cmd" in
apt-get)
  mapfile -t words < <(positional "$@")
  if [ "${words[0]:-}" = install ]; then
    mkdir -p "$S/dpkg"
    for arg in "${words[@]:1}"; do
      name="${arg%%=*}"
      if [ "$name" != "$arg" ]; then echo "${arg#*=}" >"$S/dpkg/$name"; else echo "1.0-test" >"$S/dpkg/$name"; fi
    done
  fi ;;
dpkg-query)
  fmt="" pkg=""
  for arg in "$@"; do case "$arg" in -f=*) fmt="${arg#-f=}" ;; -W) ;; *) pkg="$arg" ;; esac; done
  [ -f "$S/dpkg/$pkg" ] || exit 1
  case "$fmt" in
  *Status*) printf 'install ok installed' ;;
  *Version*) printf '%s' "$(cat "$S/dpkg/$pkg")" ;;
  esac ;;
dpkg) [ "$1" = --print-architecture ] && cat "$S/arch" ;;
apt-cache) [ "$1" = madison ] && cat "$S/madison/$2" ;;
apt-mark)
  mapfile -t words < <(positional "$@")
  case "${words[0]}" in
  hold) for p in "${words[@]:1}"; do echo "$p" >>"$S/holds"; done ;;
  showhold) cat "$S/holds" 2>/dev/null || true ;;
  *) exit 1 ;;
  esac ;;
systemctl)
  unit="${*: -1}"
  mkdir -p "$S/systemd"
  case "$1" in
  is-enabled) [ -f "$S/systemd/$unit.enabled" ] ;;
  is-active) [ -f "$S/systemd/$unit.active" ] ;;
  enable) touch "$S/systemd/$unit.enabled" ;;
  start | restart | reload) touch "$S/systemd/$unit.active" ;;
  daemon-reload) ;;
  *) exit 1 ;;
  esac ;;
hostnamectl) [ "$1" = set-hostname ] && echo "$2" >/etc/hostname ;;
swapon) cat "$S/swaps" 2>/dev/null || true ;;
swapoff) rm -f "$S/swaps" ;;
modprobe) mkdir -p "/sys/module/$1" ;;
sysctl)
  mkdir -p "$S/sysctl"
  case "$1" in
  -n) cat "$S/sysctl/$2" 2>/dev/null || exit 255 ;;
  --system)
    for f in /etc/sysctl.d/*.conf; do
      sed -n 's/^\([^#][^ =]*\) *= *\(.*\)$/\1 \2/p' "$f" | while read -r k v; do echo "$v" >"$S/sysctl/$k"; done
    done ;;
  *) exit 1 ;;
  esac ;;
containerd) [ "$*" = "config default" ] && cat "$S/fixtures/containerd-default.toml" ;;
curl)
  out="$(after -o "$@" || true)"
  url="${*: -1}"
  case "$url" in
  https://127.0.0.1:7445/healthz)
    [ -f "$S/local-api-down" ] && exit 7
    [ "$(after --cacert "$@")" = /etc/kubernetes/pki/ca.crt ] || exit 60
    printf ok
    exit 0 ;;
  https://*:6443/healthz)
    host="${url#https://}"; host="${host%%:*}"
    [ -f "$S/api-up/$host" ] || exit 7
    printf ok
    exit 0 ;;
  esac
  src="$S/fixtures/$(basename "$url")"
  [ -f "$src" ] || { echo "curl stub: no fixture for $url" >&2; exit 22; }
  if [ -n "$out" ]; then cp "$src" "$out"; else cat "$src"; fi ;;
gpg) cp "${*: -1}" "$(after -o "$@")" ;;
haproxy)
  # The real haproxy checks the config when it is installed (it is in CI).
  if [ -x /usr/sbin/haproxy ]; then exec /usr/sbin/haproxy "$@"; fi ;;
kubeadm)
  case "$1" in
  version) cat "$S/kubeadm-version" ;;
  config)
    v="${*: -1}"
    for c in kube-apiserver kube-controller-manager kube-scheduler kube-proxy; do echo "registry.k8s.io/$c:$v"; done
    echo "registry.k8s.io/coredns/coredns:v1.12.1"; echo "registry.k8s.io/pause:3.10.1"; echo "registry.k8s.io/etcd:3.6.5-0" ;;
  init | join)
    verb="$1"
    config="$(after --config "$@")"
    # Preflight, as kubeadm does it: leftovers of an earlier attempt stop it.
    for leftover in /etc/kubernetes/kubelet.conf /etc/kubernetes/manifests/kube-apiserver.yaml; do
      if [ -e "$leftover" ]; then
        echo "[preflight] error: $leftover already exists" >&2
        exit 1
      fi
    done
    if grep -q '^controlPlane:' "$config" || [ "$verb" = init ]; then
      [ -f /etc/kubernetes/pki/ca.key ] || { echo "[certs] error: no /etc/kubernetes/pki/ca.key" >&2; exit 1; }
    fi
    cp "$config" "$S/kubeadm-$verb.yaml"
    token="$(sed -n 's/^.*token: \([a-z0-9.]*\)$/\1/p' "$config" | head -n 1)"
    mkdir -p /etc/kubernetes/manifests
    if [ "$verb" = init ] || grep -q '^controlPlane:' "$config"; then
      for c in etcd kube-apiserver kube-controller-manager kube-scheduler; do echo "kind: Pod" >"/etc/kubernetes/manifests/$c.yaml"; done
    fi
    echo "apiVersion: v1
kind: Config
clusters:
- cluster:
    server: https://api.blue.klustered.internal:6443
  name: default-cluster" >/etc/kubernetes/kubelet.conf
    if [ -f "$S/kubeadm-hang-$verb" ]; then
      rm -f "$S/kubeadm-hang-$verb"
      touch "$S/kubeadm-hanging"
      sleep 60  # killed here by the test, as a lost SSH session would
    fi
    if fail_once "$verb"; then
      # Killed or failed midway: the files above stay behind, the output names the token.
      echo "[kubelet-start] error: timed out waiting for the kubelet; token $token" >&2
      exit 1
    fi
    if [ "$verb" = init ]; then
      printf 'apiVersion: v1\nkind: Config\nclusters: []\n' >/etc/kubernetes/admin.conf
    fi
    echo "Your Kubernetes node is ready. Join others with:"
    echo "  kubeadm join api.blue.klustered.internal:6443 --token $token --discovery-token-ca-cert-hash sha256:0" ;;
  reset)
    rm -rf /etc/kubernetes/manifests /etc/kubernetes/pki /var/lib/etcd
    rm -f /etc/kubernetes/*.conf
    echo "[reset] done" ;;
  *) exit 1 ;;
  esac ;;
crictl)
  case "$1" in
  inspecti) grep -qxF "$2" "$S/images" 2>/dev/null ;;
  pull) echo "$2" >>"$S/images" ;;
  ps) [ -f "$S/etcd-running" ] && echo etcd0 ;;
  exec)
    # crictl exec CONTAINER etcdctl ARGS...: the real etcdctl against the test's etcd.
    [ "$3" = etcdctl ] || exit 1
    shift 3
    exec /usr/bin/etcdctl "$@" ;;
  *) exit 1 ;;
  esac ;;
helm)
  case "$1" in
  version) printf '%s' "$(cat "$S/helm-version")" ;;
  status) [ -f "$S/helm-release-cilium" ] ;;
  upgrade) cp "$(after --values "$@")" "$S/helm-release-cilium" ;;
  *) exit 1 ;;
  esac ;;
kubectl)
  if [[ " $* " == *" get --raw /readyz "* ]]; then
    [ -f "$S/api-down" ] && exit 1
    echo ok
    exit 0
  fi
  mapfile -t words < <(positional "$@")
  jsonpath="$(after -o "$@" || true)"
  label="$(after -l "$@" || true)"
  case "${words[0]} ${words[1]:-}" in
  "get node")
    name="${words[2]}"
    [ -f "$S/nodes/$name" ] || { echo "Error from server (NotFound): nodes \"$name\" not found" >&2; exit 1; }
    case "$jsonpath" in
    name) echo "node/$name" ;;
    *Ready*) cat "$S/nodes/$name" ;;
    *taints*) cat "$S/taints/$name" 2>/dev/null || true ;;
    *) exit 1 ;;
    esac ;;
  "get nodes")
    for f in "$S"/nodes/*; do
      [ -e "$f" ] || continue
      name="$(basename "$f")"
      if [ -n "$label" ] && [ "$(cat "$S/roles/$name" 2>/dev/null)" != control-plane ]; then continue; fi
      echo "node/$name"
    done ;;
  "get secret")
    name="${words[2]}"
    cat "$S/secrets/$name/expiration-b64" 2>/dev/null || { echo "secret \"$name\" not found" >&2; exit 1; } ;;
  "taint node") rm -f "$S/taints/${words[2]}" ;;
  "drain "*) mkdir -p "$S/drained"; touch "$S/drained/${words[1]}" ;;
  "delete node") rm -f "$S/nodes/${words[2]}" ;;
  "apply ")
    mkdir -p "$S/secrets"
    doc="$(cat)"
    name="$(awk '$1 == "name:" { print $2; exit }' <<<"$doc")"
    mkdir -p "$S/secrets/$name"
    printf '%s\n' "$doc" >"$S/secrets/$name/applied"
    awk '$1 == "expiration:" { print $2 }' <<<"$doc" | tr -d '\n' | base64 -w0 >"$S/secrets/$name/expiration-b64"
    echo "secret/$name serverside-applied" ;;
  *) echo "kubectl stub: unexpected $*" >&2; exit 1 ;;
  esac ;;
*) echo "recorder: unexpected command $cmd" >&2; exit 127 ;;
esac
