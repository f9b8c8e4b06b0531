#!/usr/bin/env bash
# Remove the decoy conflist; where kubectl can, bring the agents back and recreate the
# app's pods on Cilium networking.
set -euo pipefail
rm -f /etc/cni/net.d/00-klustered.conflist
if [ -r /etc/kubernetes/admin.conf ]; then
  kubectl -n kube-system patch daemonset cilium --type merge \
    -p '{"spec":{"template":{"spec":{"nodeSelector":{"klustered.dev/cni":null}}}}}'
  kubectl -n kube-system rollout status daemonset/cilium --timeout=300s
  kubectl -n "$KB_NS" delete pod -l app=klustered --wait=false
fi
