#!/usr/bin/env bash
# Re-enable swap with a swap file that survives reboots, then restart kubelet so it
# notices (kubelet exits when swap is on and failSwapOn is true).
set -euo pipefail
swapfile=/swapfile
state="$(kl_state)"
if [ ! -e "$swapfile" ]; then
  fallocate -l "${KLUSTERED_PARAM_SIZE_MB}M" "$swapfile"
  chmod 0600 "$swapfile"
  mkswap "$swapfile" >/dev/null
  touch "$state/created-swapfile"
fi
if ! grep -q "^$swapfile " /etc/fstab; then
  printf '%s none swap sw 0 0\n' "$swapfile" >>/etc/fstab
fi
if ! swapon --show=NAME --noheadings | grep -qx "$swapfile"; then
  swapon "$swapfile"
fi
systemctl restart kubelet
