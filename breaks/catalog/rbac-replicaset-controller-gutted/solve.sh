#!/usr/bin/env bash
# Give the binding its subject back and let the API server keep it up to date.
set -euo pipefail
kubectl patch clusterrolebinding system:controller:replicaset-controller --type merge -p \
  '{"metadata":{"annotations":{"rbac.authorization.kubernetes.io/autoupdate":"true"}},"subjects":[{"kind":"ServiceAccount","name":"replicaset-controller","namespace":"kube-system"}]}'
