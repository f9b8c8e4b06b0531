#!/usr/bin/env bash
# Switch swap off, drop the fstab line and the swap file the break created, restart kubelet.
set -euo pipefail
swapfile=/swapfile
state="$(kl_state)"
swapoff -a
sed -i "\#^$swapfile none swap sw 0 0\$#d" /etc/fstab
if [ -e "$state/created-swapfile" ]; then
  rm -f "$swapfile" "$state/created-swapfile"
fi
systemctl restart kubelet
