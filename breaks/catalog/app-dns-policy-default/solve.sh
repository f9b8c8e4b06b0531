#!/usr/bin/env bash
# Back to cluster DNS.
set -euo pipefail
kubectl -n "$KB_NS" patch deployment "$KLUSTERED_APP_DEPLOYMENT" --type merge \
  -p '{"spec":{"template":{"spec":{"dnsPolicy":"ClusterFirst"}}}}'
