#!/usr/bin/env bash
# Declare the database password a second time, with another value; the last one wins.
set -euo pipefail
envs="$(kubectl -n "$KB_NS" get "$KLUSTERED_DB_WORKLOAD" \
  -o jsonpath='{range .spec.template.spec.containers[0].env[*]}{.name}={.value}{"\n"}{end}')"
if ! grep -qx 'POSTGRES_PASSWORD=klustered123' <<<"$envs"; then
  kubectl -n "$KB_NS" patch "$KLUSTERED_DB_WORKLOAD" --type json -p \
    '[{"op":"add","path":"/spec/template/spec/containers/0/env/-","value":{"name":"POSTGRES_PASSWORD","value":"klustered123"}}]'
fi
