#!/usr/bin/env bash
# Misspell Cilium's routing mode (the original value is kept on control-plane-1 for
# solve.sh), restart every agent at once (a rolling restart would stall after the first
# agents crash and leave the rest running), delete the app's pod.
set -euo pipefail
state="$(kl_state)"
current="$(kubectl -n kube-system get configmap cilium-config -o jsonpath='{.data.routing-mode}')"
if [ "$current" != "tunel" ]; then
  printf '%s' "$current" >"$state/routing-mode"
  kubectl -n kube-system patch configmap cilium-config --type merge \
    -p '{"data":{"routing-mode":"tunel"}}'
fi
kubectl -n kube-system delete pod -l k8s-app=cilium --wait=false
kubectl -n "$KB_NS" delete pod -l app=klustered --wait=false
kb_wait 120 bash -c '! kb_app_ok' || true
