#!/usr/bin/env bash
# Spell the selector right again.
set -euo pipefail
kubectl -n "$KB_NS" patch service klustered --type merge -p '{"spec":{"selector":{"app":"klustered"}}}'
