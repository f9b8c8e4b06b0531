#!/usr/bin/env bash
# Put the node's own kubelet back and restart it.
set -euo pipefail
bin=/usr/bin/kubelet
state="$(kl_state)"
if [ -e "$state/kubelet.orig" ]; then
  install -m 0755 "$state/kubelet.orig" "$bin"
  rm -f "$state/kubelet.orig"
  systemctl restart kubelet
fi
