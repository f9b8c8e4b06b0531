#!/usr/bin/env bash
# Put the routing mode back, restart every agent at once and wait for them.
set -euo pipefail
state="$(kl_state)"
current="$(kubectl -n kube-system get configmap cilium-config -o jsonpath='{.data.routing-mode}')"
if [ "$current" = "tunel" ]; then
  original="tunnel"
  if [ -s "$state/routing-mode" ]; then
    original="$(cat "$state/routing-mode")"
  fi
  kubectl -n kube-system patch configmap cilium-config --type merge \
    -p "{\"data\":{\"routing-mode\":\"${original}\"}}"
  kubectl -n kube-system delete pod -l k8s-app=cilium --wait=false
  kubectl -n kube-system rollout status daemonset/cilium --timeout=300s
fi
rm -f "$state/routing-mode"
