#!/usr/bin/env bash
# Point kubelet's static pod path one letter away from the real manifests directory.
set -euo pipefail
config=/var/lib/kubelet/config.yaml
if grep -qx 'staticPodPath: /etc/kubernetes/manifests' "$config"; then
  sed -i 's#^staticPodPath: /etc/kubernetes/manifests$#staticPodPath: /etc/kubernetes/manifest#' "$config"
  systemctl restart kubelet
fi
