#!/usr/bin/env bash
# Give the API server its kubelet client pair as its etcd client pair (signed by the wrong
# CA for etcd), then restart it (originals kept for solve.sh).
set -euo pipefail
pki=/etc/kubernetes/pki
for ext in crt key; do
  if ! cmp -s "$pki/apiserver-kubelet-client.$ext" "$pki/apiserver-etcd-client.$ext"; then
    kl_backup "$pki/apiserver-etcd-client.$ext"
    cat "$pki/apiserver-kubelet-client.$ext" >"$pki/apiserver-etcd-client.$ext"
    changed=1
  fi
done
if [ "${changed:-0}" = 1 ]; then
  for id in $(crictl ps --name kube-apiserver -q); do
    crictl stop "$id" >/dev/null
  done
fi
