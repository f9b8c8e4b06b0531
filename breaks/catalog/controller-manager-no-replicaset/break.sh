#!/usr/bin/env bash
# Switch off the ReplicaSet controller, wait for the new controller-manager, then delete
# the app's pod so nothing replaces it.
set -euo pipefail
manifest=/etc/kubernetes/manifests/kube-controller-manager.yaml
if ! grep -q -- '-replicaset-controller' "$manifest"; then
  if grep -q -- '^ *- --controllers=' "$manifest"; then
    sed -i 's#^\( *- --controllers=.*\)$#\1,-replicaset-controller#' "$manifest"
  else
    sed -i 's#^\( *\)- kube-controller-manager$#&\n\1- --controllers=*,-replicaset-controller#' "$manifest"
  fi
fi
kb_wait 180 pgrep -f -- '--controllers=.*-replicaset-controller'
sleep "$KLUSTERED_PARAM_SETTLE_SECONDS"
kubectl -n "$KB_NS" delete pod -l app=klustered --wait=false
