#!/usr/bin/env bash
# Put the API server's etcd client pair back and restart it.
set -euo pipefail
pki=/etc/kubernetes/pki
state="$(kl_state)"
restored=0
for ext in crt key; do
  file="$pki/apiserver-etcd-client.$ext"
  if [ -e "$state/$(printf '%s' "$file" | tr '/' '_')" ]; then
    kl_restore "$file"
    restored=1
  fi
done
if [ "$restored" = 1 ]; then
  for id in $(crictl ps --name kube-apiserver -q); do
    crictl stop "$id" >/dev/null
  done
fi
