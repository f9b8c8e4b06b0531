#!/usr/bin/env bash
# Green when the app serves and at least one worker has room for another pod.
set -euo pipefail
kb_app_ok
for node in $(kubectl get nodes -l '!node-role.kubernetes.io/control-plane' -o jsonpath='{.items[*].metadata.name}'); do
  limit="$(kubectl get node "$node" -o jsonpath='{.status.allocatable.pods}')"
  running="$(kubectl get pods -A --no-headers --field-selector "spec.nodeName=${node},status.phase!=Succeeded,status.phase!=Failed" | wc -l)"
  if [ "$running" -lt "$limit" ]; then
    exit 0
  fi
done
echo "no worker has room for another pod" >&2
exit 1
