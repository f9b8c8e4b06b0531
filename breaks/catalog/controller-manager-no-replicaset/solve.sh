#!/usr/bin/env bash
# Let the controller-manager run every controller again.
set -euo pipefail
manifest=/etc/kubernetes/manifests/kube-controller-manager.yaml
sed -i -e '/^ *- --controllers=\*,-replicaset-controller$/d' \
  -e 's#^\( *- --controllers=.*\),-replicaset-controller$#\1#' "$manifest"
