#!/usr/bin/env bash
# Restart etcd with a tiny backend quota, then write junk until the NOSPACE alarm fires.
set -euo pipefail
kl_etcdctl_env
manifest=/etc/kubernetes/manifests/etcd.yaml
quota="$KLUSTERED_PARAM_QUOTA_BYTES"
metrics_host="${ETCD_METRICS_HOST:-127.0.0.1}"
metrics_port="${ETCD_METRICS_PORT:-2381}"
started() {
  kb_http_get "$metrics_host" "$metrics_port" /metrics 2>/dev/null |
    sed -n 's/^process_start_time_seconds //p' || true
}
if etcdctl alarm list | grep -q NOSPACE; then
  exit 0
fi
if ! grep -q -- "^ *- --quota-backend-bytes=${quota}\$" "$manifest"; then
  before="$(started)"
  kl_backup "$manifest"
  if grep -q -- '^ *- --quota-backend-bytes=' "$manifest"; then
    sed -i "s#^\( *- --quota-backend-bytes=\).*#\1${quota}#" "$manifest"
  else
    sed -i "s#^\( *\)- etcd\$#&\n\1- --quota-backend-bytes=${quota}#" "$manifest"
  fi
  restarted() { local now; now="$(started)"; [ -n "$now" ] && [ "$now" != "$before" ]; }
  kb_wait 180 restarted
  kb_wait 120 etcdctl endpoint health
fi
chunk="$(mktemp)"
trap 'rm -f "$chunk"' EXIT
limit=$(( quota * 2 / 524288 + 20 ))
for ((n = 0; n < limit; n++)); do
  head -c 524288 /dev/urandom >"$chunk"
  if ! out="$(etcdctl put "/klustered/filler/$n" <"$chunk" 2>&1)"; then
    if grep -q 'database space exceeded' <<<"$out"; then
      break
    fi
    echo "$out" >&2
    exit 1
  fi
done
etcdctl alarm list | grep -q NOSPACE || { echo "etcd did not run out of space" >&2; exit 1; }
