#!/usr/bin/env bash
# Delete every copy of the DROP rule.
set -euo pipefail
rule=(INPUT -p tcp --dport 10250 -m comment --comment kubelet-healthz -j DROP)
while iptables -C "${rule[@]}" 2>/dev/null; do
  iptables -D "${rule[@]}"
done
