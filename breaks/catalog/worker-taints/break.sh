#!/usr/bin/env bash
# Mark every worker out of service: its pods are evicted and nothing lands there.
set -euo pipefail
kubectl taint nodes -l '!node-role.kubernetes.io/control-plane' --overwrite \
  node.kubernetes.io/out-of-service=nodeshutdown:NoExecute
kb_wait 120 bash -c '! kb_app_ok' || true
