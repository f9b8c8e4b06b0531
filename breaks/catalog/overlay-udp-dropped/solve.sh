#!/usr/bin/env bash
# Stop the re-breaker first, then remove its units and the rule.
set -euo pipefail
unit=/etc/systemd/system/klustered-netcheck
rule=(INPUT -p udp --dport 8472 -m comment --comment netcheck -j DROP)
if [ -e "$unit.timer" ]; then
  systemctl disable --now klustered-netcheck.timer
fi
rm -f "$unit.timer" "$unit.service"
systemctl daemon-reload
while iptables -C "${rule[@]}" 2>/dev/null; do
  iptables -D "${rule[@]}"
done
