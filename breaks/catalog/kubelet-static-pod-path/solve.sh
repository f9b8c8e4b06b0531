#!/usr/bin/env bash
# Point kubelet back at /etc/kubernetes/manifests.
set -euo pipefail
config=/var/lib/kubelet/config.yaml
if grep -qx 'staticPodPath: /etc/kubernetes/manifest' "$config"; then
  sed -i 's#^staticPodPath: /etc/kubernetes/manifest$#staticPodPath: /etc/kubernetes/manifests#' "$config"
  systemctl restart kubelet
fi
