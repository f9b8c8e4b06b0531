#!/usr/bin/env bash
# Put an AlwaysDeny authorizer between Node and RBAC (original manifest kept for solve).
set -euo pipefail
manifest=/etc/kubernetes/manifests/kube-apiserver.yaml
if grep -q -- '^ *- --authorization-mode=Node,RBAC$' "$manifest"; then
  kl_backup "$manifest"
  sed -i 's#^\( *- --authorization-mode=\)Node,RBAC$#\1Node,AlwaysDeny,RBAC#' "$manifest"
fi
