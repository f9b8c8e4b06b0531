#!/usr/bin/env bash
# Give kubelet hard eviction thresholds no node can meet (original kept for solve.sh).
set -euo pipefail
config=/var/lib/kubelet/config.yaml
if ! grep -q '^evictionHard:' "$config"; then
  kl_backup "$config"
  cat >>"$config" <<'CONF'
evictionHard:
  imagefs.available: 15%
  memory.available: 100Mi
  nodefs.available: 99%
  nodefs.inodesFree: 5%
CONF
  systemctl restart kubelet
fi
