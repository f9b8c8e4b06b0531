#!/usr/bin/env bash
# Drop Cilium's VXLAN overlay (UDP 8472) and keep re-applying the rule from a systemd
# timer with an innocent name.
set -euo pipefail
unit=/etc/systemd/system/klustered-netcheck
rule=(INPUT -p udp --dport 8472 -m comment --comment netcheck -j DROP)
cat >"$unit.service" <<'UNIT'
[Unit]
Description=Node network health check

[Service]
Type=oneshot
ExecStart=/bin/sh -c 'iptables -C INPUT -p udp --dport 8472 -m comment --comment netcheck -j DROP 2>/dev/null || iptables -I INPUT -p udp --dport 8472 -m comment --comment netcheck -j DROP'
UNIT
cat >"$unit.timer" <<'UNIT'
[Unit]
Description=Node network health check, every minute

[Timer]
OnBootSec=30s
OnUnitActiveSec=60s

[Install]
WantedBy=timers.target
UNIT
systemctl daemon-reload
systemctl enable --now klustered-netcheck.timer
iptables -C "${rule[@]}" 2>/dev/null || iptables -I "${rule[@]}"
