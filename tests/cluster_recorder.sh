#!/usr/bin/env bash
# Recorder stub: log argv, then simulate just enough node state.
set -euo pipefail
cmd="$(basename "$0")"
S=/state
printf '%s\n' "$cmd $*" >>"$S/calls.log"
after() { # after FLAG ARGS...: the argument following FLAG
  local flag="$1"; shift
  while [ $# -gt 1 ]; do [ "$1" = "$flag" ] && { echo "$2"; return; }; shift; done
  return 1
}
case "$cmd" in
apt-get)
  if [[ " $* " == *" install "* ]]; then
    mkdir -p "$S/dpkg"
    for arg in "$@"; do
      case "$arg" in -* | install) continue ;; esac
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
apt-cache) [ "$1" = madison ] && cat "$S/madison/$2" ;;
apt-mark)
  case "$1" in
  hold) shift; for p in "$@"; do echo "$p" >>"$S/holds"; done ;;
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
  start | restart) touch "$S/systemd/$unit.active" ;;
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
  src="$S/fixtures/$(basename "$url")"
  [ -f "$src" ] || { echo "curl stub: no fixture for $url" >&2; exit 22; }
  if [ -n "$out" ]; then cp "$src" "$out"; else cat "$src"; fi ;;
gpg) cp "${*: -1}" "$(after -o "$@")" ;;
kubeadm)
  case "$1" in
  version) cat "$S/kubeadm-version" ;;
  config)
    v="${*: -1}"
    for c in kube-apiserver kube-controller-manager kube-scheduler kube-proxy; do echo "registry.k8s.io/$c:$v"; done
    echo "registry.k8s.io/coredns/coredns:v1.12.1"; echo "registry.k8s.io/pause:3.10.1"; echo "registry.k8s.io/etcd:3.6.5-0" ;;
  init)
    cp "$(after --config "$@")" "$S/kubeadm-init.yaml"
    mkdir -p /etc/kubernetes/manifests
    for c in etcd kube-apiserver kube-controller-manager kube-scheduler; do echo "kind: Pod" >"/etc/kubernetes/manifests/$c.yaml"; done
    printf 'apiVersion: v1\nkind: Config\nclusters: []\n' >/etc/kubernetes/admin.conf
    echo "kind: Config" >/etc/kubernetes/kubelet.conf ;;
  join)
    cp "$(after --config "$@")" "$S/kubeadm-join.yaml"
    mkdir -p /etc/kubernetes
    echo "kind: Config" >/etc/kubernetes/kubelet.conf ;;
  *) exit 1 ;;
  esac ;;
crictl)
  case "$1" in
  inspecti) grep -qxF "$2" "$S/images" 2>/dev/null ;;
  pull) echo "$2" >>"$S/images" ;;
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
  case "$*" in
  "get --raw /readyz") echo ok ;;
  "get nodes "*) for _ in $(seq "$(cat "$S/node-count")"); do echo True; done ;;
  *) exit 1 ;;
  esac ;;
*) echo "recorder: unexpected command $cmd" >&2; exit 127 ;;
esac
