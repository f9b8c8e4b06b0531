#!/usr/bin/env bash
# Green when the app serves and every node is Ready.
set -euo pipefail
kb_app_ok
not_ready="$(kubectl get nodes -o jsonpath='{range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -v '=True$' || true)"
if [ -n "$not_ready" ]; then
  echo "nodes not Ready: $not_ready" >&2
  exit 1
fi
