#!/usr/bin/env bash
# Restart etcd with a tiny request size limit (original manifest kept for solve.sh).
set -euo pipefail
manifest=/etc/kubernetes/manifests/etcd.yaml
flag="--max-request-bytes=${KLUSTERED_PARAM_MAX_BYTES}"
if ! grep -qx -- " *- ${flag}" "$manifest"; then
  kl_backup "$manifest"
  if grep -q -- '^ *- --max-request-bytes=' "$manifest"; then
    sed -i "s#^\( *- \)--max-request-bytes=.*#\1${flag}#" "$manifest"
  else
    sed -i "s#^\( *\)- --listen-peer-urls=#\1- ${flag}\n&#" "$manifest"
  fi
fi
