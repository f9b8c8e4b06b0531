#!/usr/bin/env bash
# Move containerd's CRI socket away from where kubelet dials it.
set -euo pipefail
config=/etc/containerd/config.toml
if grep -Eq '^[[:space:]]*address[[:space:]]*=[[:space:]]*"/run/containerd/containerd\.sock"' "$config"; then
  sed -i -E 's#^([[:space:]]*address[[:space:]]*=[[:space:]]*)"/run/containerd/containerd\.sock"#\1"/run/containerd/containerd-1.sock"#' "$config"
  systemctl restart containerd
  systemctl restart kubelet
  sleep "$KLUSTERED_PARAM_SETTLE_SECONDS"
fi
