#!/usr/bin/env bash
# Klustered break prelude: prepended to every break, solve, verify, setup and
# invariants script before it goes on stdin. Provides KlusteredBench's kb_* helpers
# (same names, arguments and exit codes) and Klustered's kl_* helpers.
set -euo pipefail

export KUBECONFIG="${KUBECONFIG:-/etc/kubernetes/admin.conf}"
export KB_NS="${KB_NS:-default}"
export KB_APP_PORT="${KB_APP_PORT:-30000}"
# Quotes the workload seeds into Postgres; a page without one is not a healthy app.
export KB_QUOTE_PATTERN="${KB_QUOTE_PATTERN:-Stephen Augustus|Duffie|Katy Farmer|May your bag|Fight for your limits|Productivity does not determine your value}"
export KLUSTERED_APP_IMAGE="${KLUSTERED_APP_IMAGE:-ghcr.io/rawkodeacademy/klustered:v1}"
# The v2 image is always the v1 image's repository with tag v2.
export KLUSTERED_V2_IMAGE="${KLUSTERED_V2_IMAGE:-${KLUSTERED_APP_IMAGE%:*}:v2}"
export KLUSTERED_APP_DEPLOYMENT="${KLUSTERED_APP_DEPLOYMENT:-klustered}"
export KLUSTERED_DB_WORKLOAD="${KLUSTERED_DB_WORKLOAD:-statefulset/postgresql}"
export KLUSTERED_DB_SERVICE="${KLUSTERED_DB_SERVICE:-postgres}"
export KLUSTERED_STATE_DIR="${KLUSTERED_STATE_DIR:-/var/lib/klustered/breaks}"

# kb_node_ip: the InternalIP of the first node the API lists.
# shellcheck disable=SC2329 # a library: each step uses some helpers
kb_node_ip() {
  kubectl get nodes -o jsonpath='{.items[0].status.addresses[?(@.type=="InternalIP")].address}'
}

# kb_http_get HOST PORT [PATH]: an HTTP/1.0 GET over bash's /dev/tcp (no curl needed);
# prints the raw response, fails when the connection does.
# shellcheck disable=SC2329 # a library: each step uses some helpers
kb_http_get() {
  local host="$1" port="$2" path="${3:-/}"
  # shellcheck disable=SC2016 # the inner script expands its own positional args
  timeout 15 bash -c '
    exec 3<>"/dev/tcp/$1/$2" || exit 1
    printf "GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n" "$3" "$1" >&3
    cat <&3
  ' kb_http_get "$host" "$port" "$path"
}

# kb_wait SECONDS CMD...: run CMD every 2 s until it succeeds; fail after SECONDS.
# shellcheck disable=SC2329 # a library: each step uses some helpers
kb_wait() {
  local limit=$(( $(date +%s) + $1 ))
  shift
  while ! "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$limit" ]; then
      echo "kb_wait: gave up waiting for: $*" >&2
      return 1
    fi
    sleep 2
  done
}

# kb_app_ok [v2]: the app answers on its NodePort with a seeded quote and no database
# error; with v2, the page must also come from the v2 image.
# shellcheck disable=SC2329 # a library: each step uses some helpers
kb_app_ok() {
  local want="${1:-}" ip page
  ip="$(kb_node_ip)" || return 1
  page="$(kb_http_get "$ip" "$KB_APP_PORT" /)" || return 1
  if [ "$want" = "v2" ] && ! grep -q "v2" <<<"$page"; then
    echo "the app answers but does not serve v2" >&2
    return 1
  fi
  if ! grep -Eq "$KB_QUOTE_PATTERN" <<<"$page"; then
    echo "the app answered without a seeded quote" >&2
    return 1
  fi
  if grep -Eqi "Failed to connect to database|error connecting|Name or service not known" <<<"$page"; then
    echo "the app answers but cannot reach its database" >&2
    return 1
  fi
}

# kb_app_pod: the name of the first app pod (empty when there is none).
# shellcheck disable=SC2329 # a library: each step uses some helpers
kb_app_pod() {
  kubectl -n "$KB_NS" get pods -l app=klustered -o jsonpath='{.items[0].metadata.name}' 2>/dev/null
}

# kl_retry ATTEMPTS CMD...: run CMD until it succeeds, backing off; for downloads.
# shellcheck disable=SC2329 # a library: each step uses some helpers
kl_retry() {
  local attempts="$1" n=1
  shift
  until "$@"; do
    if [ "$n" -ge "$attempts" ]; then
      echo "kl_retry: $* failed $n times" >&2
      return 1
    fi
    sleep $(( n * 2 ))
    n=$(( n + 1 ))
  done
}

# kl_fail MESSAGE...: stop the step, saying why in one line (where a quiet step reports).
# shellcheck disable=SC2329 # a library: each step uses some helpers
kl_fail() {
  if { true >&3; } 2>/dev/null; then
    echo "$*" >&3
  else
    echo "$*" >&2
  fi
  exit 1
}

# kl_state: this break's state directory on the node (backups, snapshots); created on use.
# shellcheck disable=SC2329 # a library: each step uses some helpers
kl_state() {
  local dir="$KLUSTERED_STATE_DIR/${KLUSTERED_BREAK_ID:-adhoc}"
  (umask 077 && mkdir -p "$dir")
  printf '%s\n' "$dir"
}

# kl_backup FILE: keep the first copy of FILE (mode and bytes) for kl_restore; later calls keep it.
# shellcheck disable=SC2329 # a library: each step uses some helpers
kl_backup() {
  local saved
  saved="$(kl_state)/$(printf '%s' "$1" | tr '/' '_')"
  if [ ! -e "$saved" ]; then
    cp -p "$1" "$saved"
  fi
}

# kl_restore FILE: put FILE back from its backup and drop the backup; a no-op without one.
# shellcheck disable=SC2329 # a library: each step uses some helpers
kl_restore() {
  local saved
  saved="$(kl_state)/$(printf '%s' "$1" | tr '/' '_')"
  if [ -e "$saved" ]; then
    cp -p "$saved" "$1"
    rm -f "$saved"
  fi
}

# kl_etcdctl_env: point etcdctl at this node's etcd the kubeadm way, unless the caller
# already set ETCDCTL_* (set them empty to talk plain HTTP); installs etcdctl when absent.
# shellcheck disable=SC2329 # a library: each step uses some helpers
kl_etcdctl_env() {
  export ETCDCTL_API=3
  export ETCDCTL_ENDPOINTS="${ETCDCTL_ENDPOINTS-https://127.0.0.1:2379}"
  export ETCDCTL_CACERT="${ETCDCTL_CACERT-/etc/kubernetes/pki/etcd/ca.crt}"
  export ETCDCTL_CERT="${ETCDCTL_CERT-/etc/kubernetes/pki/etcd/healthcheck-client.crt}"
  export ETCDCTL_KEY="${ETCDCTL_KEY-/etc/kubernetes/pki/etcd/healthcheck-client.key}"
  if command -v etcdctl >/dev/null 2>&1; then
    return 0
  fi
  local version arch dir
  version="$(sed -n 's#^ *image: .*/etcd:\([0-9.]*\).*#\1#p' /etc/kubernetes/manifests/etcd.yaml)"
  case "$(uname -m)" in aarch64) arch=arm64 ;; *) arch=amd64 ;; esac
  dir="$(kl_state)/etcd-tools"
  mkdir -p "$dir"
  kl_retry 5 curl -fsSL --connect-timeout 10 -o "$dir/etcd.tar.gz" \
    "https://github.com/etcd-io/etcd/releases/download/v${version}/etcd-v${version}-linux-${arch}.tar.gz"
  tar -xzf "$dir/etcd.tar.gz" -C "$dir" --strip-components=1 --wildcards '*/etcdctl' '*/etcdutl'
  rm -f "$dir/etcd.tar.gz"
  export PATH="$dir:$PATH"
}

# kl_etcd_members: the etcd member list, served by this member alone when etcd can (it
# answers without quorum); needs kl_etcdctl_env.
# shellcheck disable=SC2329 # a library: each step uses some helpers
kl_etcd_members() {
  local out
  if out="$(etcdctl member list --consistency=s 2>/dev/null)"; then
    printf '%s\n' "$out"
  else
    etcdctl member list
  fi
}

export -f kb_node_ip kb_http_get kb_wait kb_app_ok kb_app_pod kl_retry kl_fail kl_state kl_backup kl_restore \
  kl_etcdctl_env kl_etcd_members
