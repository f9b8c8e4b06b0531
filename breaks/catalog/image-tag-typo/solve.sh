#!/usr/bin/env bash
# Back to the image the app was deployed with.
set -euo pipefail
kubectl -n "$KB_NS" set image "deployment/$KLUSTERED_APP_DEPLOYMENT" \
  "klustered=${KLUSTERED_APP_IMAGE}"
