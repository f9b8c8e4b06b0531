#!/usr/bin/env bash
# Roll the app to a tag that looks like v1 and does not exist.
set -euo pipefail
kubectl -n "$KB_NS" set image "deployment/$KLUSTERED_APP_DEPLOYMENT" \
  "klustered=${KLUSTERED_APP_IMAGE%:*}:vl"
