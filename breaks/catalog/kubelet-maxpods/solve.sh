#!/usr/bin/env bash
# Put the kubelet configuration back as it was before the break and restart kubelet.
set -euo pipefail
config=/var/lib/kubelet/config.yaml
if [ -e "$(kl_state)/$(printf '%s' "$config" | tr '/' '_')" ]; then
  kl_restore "$config"
  systemctl restart kubelet
fi
