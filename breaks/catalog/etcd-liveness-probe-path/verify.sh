#!/usr/bin/env bash
# Green when etcd answers its liveness probe where its manifest says. The port may be a
# name (kubeadm 1.34: `probe-port`), looked up in the container's ports.
set -euo pipefail
manifest=/etc/kubernetes/manifests/etcd.yaml
probe="$(sed -n '/^ *livenessProbe:/,/^ *[a-zA-Z]*Probe:$/p' "$manifest" | sed '$d')"
field() { sed -n "s#^ *$1: *##p" <<<"$probe" | head -n 1; }
path="$(field path)"
port="$(field port)"
host="$(field host)"
if [[ ! "$port" =~ ^[0-9]+$ ]]; then
  port="$(grep -E -B2 -A2 "^ *(- )?name: ${port}\$" "$manifest" |
    sed -n 's/^ *-\{0,1\} *containerPort: *\([0-9]*\).*/\1/p' | head -n 1)"
fi
[ -n "$port" ] || { echo "etcd's liveness probe names no port" >&2; exit 1; }
answer="$(kb_http_get "${host:-127.0.0.1}" "$port" "$path")"
status="${answer%%$'\r'*}"
if [[ "$status" != *" 200 "* ]] && [[ "$status" != *" 200" ]]; then
  echo "etcd's liveness probe gets: ${status}" >&2
  exit 1
fi
