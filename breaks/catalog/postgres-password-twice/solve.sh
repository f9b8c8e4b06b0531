#!/usr/bin/env bash
# Remove the second password (by position, checked by the patch itself).
set -euo pipefail
envs="$(kubectl -n "$KB_NS" get "$KLUSTERED_DB_WORKLOAD" \
  -o jsonpath='{range .spec.template.spec.containers[0].env[*]}{.name}={.value}{"\n"}{end}')"
line="$(grep -nx 'POSTGRES_PASSWORD=klustered123' <<<"$envs" | head -n 1 | cut -d: -f1 || true)"
if [ -n "$line" ]; then
  index=$((line - 1))
  kubectl -n "$KB_NS" patch "$KLUSTERED_DB_WORKLOAD" --type json -p \
    "[{\"op\":\"test\",\"path\":\"/spec/template/spec/containers/0/env/${index}/value\",\"value\":\"klustered123\"},{\"op\":\"remove\",\"path\":\"/spec/template/spec/containers/0/env/${index}\"}]"
fi
