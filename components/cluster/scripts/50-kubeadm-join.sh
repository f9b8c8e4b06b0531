#!/usr/bin/env bash
# Phase 50 on every other node: `kubeadm join` (as a control plane when the config says so),
# pinned to the cluster CA. Skipped once the node has a kubelet kubeconfig.
# Inputs (secret, delivered on stdin): KUBEADM_CONFIG.
: "${KUBEADM_CONFIG:?}"

if [ -f /etc/kubernetes/kubelet.conf ]; then
  log "node already joined"
  exit 0
fi

config="$(mktemp)"
trap 'rm -f "$config"' EXIT
printf '%s\n' "${KUBEADM_CONFIG%$'\n'}" >"$config"
# No blind retry: a half-finished join needs `kubeadm reset` first; kubeadm itself keeps
# retrying discovery until the control plane answers (timeouts.discovery, 5m).
kubeadm join --config "$config"
log "node joined"
