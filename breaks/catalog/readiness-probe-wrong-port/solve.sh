#!/usr/bin/env bash
# Put the original readiness probe back (or remove the bad one) and wait for the rollout.
set -euo pipefail
state="$(kl_state)"
probe="$(kubectl -n "$KB_NS" get deployment klustered -o jsonpath='{.spec.template.spec.containers[0].readinessProbe}')"
if [[ "$probe" == *'"port":8080'* ]]; then
  original="$(cat "$state/readiness-probe.json" 2>/dev/null || true)"
  if [ -n "$original" ]; then
    patch="[{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/readinessProbe\",\"value\":${original}}]"
  else
    patch='[{"op":"remove","path":"/spec/template/spec/containers/0/readinessProbe"}]'
  fi
  kubectl -n "$KB_NS" patch deployment klustered --type json -p "$patch"
  kubectl -n "$KB_NS" rollout status deployment/klustered --timeout=300s
fi
rm -f "$state/readiness-probe.json"
