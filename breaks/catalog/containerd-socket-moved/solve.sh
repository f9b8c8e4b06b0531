#!/usr/bin/env bash
# Put the CRI socket back where kubelet expects it.
set -euo pipefail
config=/etc/containerd/config.toml
if grep -Eq '^[[:space:]]*address[[:space:]]*=[[:space:]]*"/run/containerd/containerd-1\.sock"' "$config"; then
  sed -i -E 's#^([[:space:]]*address[[:space:]]*=[[:space:]]*)"/run/containerd/containerd-1\.sock"#\1"/run/containerd/containerd.sock"#' "$config"
  systemctl restart containerd
  systemctl restart kubelet
fi
