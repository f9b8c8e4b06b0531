#!/usr/bin/env bash
# Put the original certificate back and restart kube-apiserver.
set -euo pipefail
cert=/etc/kubernetes/pki/apiserver.crt
if [ -e "$(kl_state)/$(printf '%s' "$cert" | tr '/' '_')" ]; then
  kl_restore "$cert"
  for id in $(crictl ps --name kube-apiserver -q); do
    crictl stop "$id" >/dev/null
  done
fi
