#!/usr/bin/env bash
# Point containerd's sandbox (pause) image at a tag that does not exist, restart it and
# recreate the app's pod sandboxes on this node (original config kept for solve.sh).
set -euo pipefail
config=/etc/containerd/config.toml
if ! grep -q 'sandbox_image = "registry.k8s.io/pause:3.01"' "$config"; then
  kl_backup "$config"
  sed -i 's#^\( *sandbox_image = \).*#\1"registry.k8s.io/pause:3.01"#' "$config"
  systemctl restart containerd
fi
for pod in $(crictl pods --label app=klustered -q); do
  crictl stopp "$pod" >/dev/null
  crictl rmp "$pod" >/dev/null
done
