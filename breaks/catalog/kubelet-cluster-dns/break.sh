#!/usr/bin/env bash
# Point kubelet's clusterDNS at the Service range's .1 (the API server, no DNS there),
# restart kubelet and recreate the app's pod sandboxes on this node so they pick it up.
set -euo pipefail
config=/var/lib/kubelet/config.yaml
if grep -Eq '^- [0-9]+\.[0-9]+\.[0-9]+\.10$' "$config"; then
  kl_backup "$config"
  sed -i -E '/^clusterDNS:/,/^[a-zA-Z]/ s/^- ([0-9]+\.[0-9]+\.[0-9]+)\.10$/- \1.1/' "$config"
  systemctl restart kubelet
fi
for pod in $(crictl pods --label app=klustered -q); do
  crictl stopp "$pod" >/dev/null
done
