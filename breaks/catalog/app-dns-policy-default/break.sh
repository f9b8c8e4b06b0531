#!/usr/bin/env bash
# Make the app's pods use the node's resolver.
set -euo pipefail
kubectl -n "$KB_NS" patch deployment "$KLUSTERED_APP_DEPLOYMENT" --type merge \
  -p '{"spec":{"template":{"spec":{"dnsPolicy":"Default"}}}}'
