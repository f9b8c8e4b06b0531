#!/usr/bin/env bash
# Give the app a readiness probe on a port it does not listen on (the original probe,
# if any, is kept on control-plane-1 for solve.sh).
set -euo pipefail
state="$(kl_state)"
probe="$(kubectl -n "$KB_NS" get deployment klustered -o jsonpath='{.spec.template.spec.containers[0].readinessProbe}')"
if [[ "$probe" != *'"port":8080'* ]]; then
  printf '%s' "$probe" >"$state/readiness-probe.json"
  kubectl -n "$KB_NS" patch deployment klustered --type json -p \
    '[{"op":"add","path":"/spec/template/spec/containers/0/readinessProbe","value":{"tcpSocket":{"port":8080},"periodSeconds":5}}]'
fi
kubectl -n "$KB_NS" delete pod -l app=klustered --wait=false
kb_wait 120 bash -c '! kb_app_ok' || true
