#!/usr/bin/env bash
# Put kubelet's config back and restart it.
set -euo pipefail
config=/var/lib/kubelet/config.yaml
if [ -e "$(kl_state)/$(printf '%s' "$config" | tr '/' '_')" ]; then
  kl_restore "$config"
  systemctl restart kubelet
fi
