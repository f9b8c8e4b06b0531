#!/usr/bin/env bash
# Empty the replicaset controller's ClusterRoleBinding, stop the API server from repairing
# it, and delete the app's pod.
set -euo pipefail
kubectl patch clusterrolebinding system:controller:replicaset-controller --type merge -p \
  '{"metadata":{"annotations":{"rbac.authorization.kubernetes.io/autoupdate":"false"}},"subjects":null}'
kubectl -n "$KB_NS" delete pod -l app=klustered --wait=false
