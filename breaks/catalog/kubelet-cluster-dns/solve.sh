#!/usr/bin/env bash
# Put kubelet's config back, restart it, recreate the app's pod sandboxes on this node.
set -euo pipefail
config=/var/lib/kubelet/config.yaml
if [ -e "$(kl_state)/$(printf '%s' "$config" | tr '/' '_')" ]; then
  kl_restore "$config"
  systemctl restart kubelet
  for pod in $(crictl pods --label app=klustered -q); do
    crictl stopp "$pod" >/dev/null
  done
fi
