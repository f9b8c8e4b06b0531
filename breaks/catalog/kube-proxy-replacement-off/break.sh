#!/usr/bin/env bash
# Switch Cilium's kube-proxy replacement off (original value kept on control-plane-1 for
# solve.sh) and restart every agent at once.
set -euo pipefail
state="$(kl_state)"
current="$(kubectl -n kube-system get configmap cilium-config -o jsonpath='{.data.kube-proxy-replacement}')"
if [ "$current" != "false" ]; then
  printf '%s' "${current:-true}" >"$state/kube-proxy-replacement"
  kubectl -n kube-system patch configmap cilium-config --type merge \
    -p '{"data":{"kube-proxy-replacement":"false"}}'
fi
kubectl -n kube-system delete pod -l k8s-app=cilium --wait=false
