#!/usr/bin/env bash
# Point kubelet's kubeconfig at a port where nothing listens (original kept for solve.sh).
set -euo pipefail
conf=/etc/kubernetes/kubelet.conf
if ! grep -Eq '^ *server: https://[^ ]*:16443$' "$conf"; then
  kl_backup "$conf"
  sed -i -E 's#^( *server: https://[^ :]*):[0-9]+$#\1:16443#' "$conf"
  systemctl restart kubelet
fi
