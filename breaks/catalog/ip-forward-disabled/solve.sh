#!/usr/bin/env bash
# Drop the sysctl drop-in and re-apply the remaining settings (k8s.conf turns forwarding on).
set -euo pipefail
rm -f /etc/sysctl.d/99-zz-network-tuning.conf
sysctl --system >/dev/null
sysctl -w net.ipv4.ip_forward=1 >/dev/null
