#!/usr/bin/env bash
# Misspell the app Service's selector.
set -euo pipefail
kubectl -n "$KB_NS" patch service klustered --type merge -p '{"spec":{"selector":{"app":"klustred"}}}'
kb_wait 60 bash -c '! kb_app_ok' || true
