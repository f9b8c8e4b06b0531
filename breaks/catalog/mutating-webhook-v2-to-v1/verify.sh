#!/usr/bin/env bash
# Green when the app serves and a Deployment asking for v2 is admitted with v2 as asked.
set -euo pipefail
kb_app_ok
image="$(kubectl -n "$KB_NS" create deployment klustered-verify --image="$KLUSTERED_V2_IMAGE" \
  --dry-run=server -o jsonpath='{.spec.template.spec.containers[0].image}')"
if [ "$image" != "$KLUSTERED_V2_IMAGE" ]; then
  echo "a Deployment asking for $KLUSTERED_V2_IMAGE is admitted with $image" >&2
  exit 1
fi
