#!/usr/bin/env bash
# Cap the number of pods kubelet admits on this node.
set -euo pipefail
config=/var/lib/kubelet/config.yaml
want="maxPods: ${KLUSTERED_PARAM_MAX_PODS}"
if ! grep -qx "$want" "$config"; then
  kl_backup "$config"
  if grep -q '^maxPods:' "$config"; then
    sed -i "s/^maxPods:.*/$want/" "$config"
  else
    printf '%s\n' "$want" >>"$config"
  fi
  systemctl restart kubelet
fi
