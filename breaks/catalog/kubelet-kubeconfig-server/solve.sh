#!/usr/bin/env bash
# Put kubelet's kubeconfig back and restart it.
set -euo pipefail
conf=/etc/kubernetes/kubelet.conf
if [ -e "$(kl_state)/$(printf '%s' "$conf" | tr '/' '_')" ]; then
  kl_restore "$conf"
  systemctl restart kubelet
fi
