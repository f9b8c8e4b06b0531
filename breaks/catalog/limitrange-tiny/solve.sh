#!/usr/bin/env bash
# Remove the LimitRange.
set -euo pipefail
kubectl -n "$KB_NS" delete limitrange defaults --ignore-not-found
