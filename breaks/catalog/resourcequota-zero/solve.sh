#!/usr/bin/env bash
# Remove the ResourceQuota.
set -euo pipefail
kubectl -n "$KB_NS" delete resourcequota compute --ignore-not-found
