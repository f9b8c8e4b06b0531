#!/usr/bin/env bash
# Move etcd's loopback client listener from 127.0.0.1 to 127.0.1.1 (same port), so the
# API server's --etcd-servers=https://127.0.0.1:2379 finds nobody. Original kept for solve.
set -euo pipefail
manifest=/etc/kubernetes/manifests/etcd.yaml
line="$(grep -E -- '^ *- --listen-client-urls=' "$manifest")"
if grep -q '://127\.0\.0\.1:' <<<"$line"; then
  kl_backup "$manifest"
  sed -i -E '/^ *- --listen-client-urls=/ s#://127\.0\.0\.1:#://127.0.1.1:#' "$manifest"
fi
