#!/usr/bin/env bash
# Put the Corefile back, restart CoreDNS and the app.
set -euo pipefail
state="$(kl_state)"
if [ -s "$state/Corefile" ]; then
  kubectl -n kube-system create configmap coredns --from-file=Corefile="$state/Corefile" \
    --dry-run=client -o yaml | kubectl replace -f -
  kubectl -n kube-system delete pod -l k8s-app=kube-dns --wait=false
  kubectl -n kube-system rollout status deployment/coredns --timeout=300s
  kubectl -n "$KB_NS" delete pod -l app=klustered --wait=false
  rm -f "$state/Corefile"
fi
