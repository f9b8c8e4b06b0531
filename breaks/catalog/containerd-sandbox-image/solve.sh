#!/usr/bin/env bash
# Put containerd's config back and restart it.
set -euo pipefail
config=/etc/containerd/config.toml
if [ -e "$(kl_state)/$(printf '%s' "$config" | tr '/' '_')" ]; then
  kl_restore "$config"
  systemctl restart containerd
fi
