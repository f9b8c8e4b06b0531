#!/usr/bin/env bash
# Transpose two digits of the API server's etcd port (original manifest kept for solve).
set -euo pipefail
manifest=/etc/kubernetes/manifests/kube-apiserver.yaml
if grep -Eq -- '^ *- --etcd-servers=.*:2379(,|$)' "$manifest"; then
  kl_backup "$manifest"
  sed -i -E '/^ *- --etcd-servers=/ s#:2379(,|$)#:2397\1#g' "$manifest"
fi
