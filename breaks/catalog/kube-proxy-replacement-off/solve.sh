#!/usr/bin/env bash
# Put kube-proxy replacement back and restart every agent.
set -euo pipefail
state="$(kl_state)"
current="$(kubectl -n kube-system get configmap cilium-config -o jsonpath='{.data.kube-proxy-replacement}')"
if [ "$current" = "false" ]; then
  original="true"
  if [ -s "$state/kube-proxy-replacement" ]; then
    original="$(cat "$state/kube-proxy-replacement")"
  fi
  kubectl -n kube-system patch configmap cilium-config --type merge \
    -p "{\"data\":{\"kube-proxy-replacement\":\"${original}\"}}"
  kubectl -n kube-system delete pod -l k8s-app=cilium --wait=false
  kubectl -n kube-system rollout status daemonset/cilium --timeout=300s
fi
rm -f "$state/kube-proxy-replacement"
