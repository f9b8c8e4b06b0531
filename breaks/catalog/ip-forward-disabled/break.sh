#!/usr/bin/env bash
# Turn off IPv4 forwarding through a late sysctl drop-in, so it also survives reboots.
set -euo pipefail
conf=/etc/sysctl.d/99-zz-network-tuning.conf
want="net.ipv4.ip_forward = 0"
if [ "$(cat "$conf" 2>/dev/null || true)" != "$want" ]; then
  printf '%s\n' "$want" >"$conf"
fi
sysctl --system >/dev/null
