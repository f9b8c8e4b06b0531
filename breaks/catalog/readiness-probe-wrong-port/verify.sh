#!/usr/bin/env bash
# Green when the app serves and its Deployment has every replica ready.
set -euo pipefail
kb_app_ok
kubectl -n "$KB_NS" rollout status deployment/klustered --timeout=60s >/dev/null
