#!/usr/bin/env bash
# Restart etcd with a backend quota just above its current size (or quotaBytes), then
# write junk until the NOSPACE alarm fires. The quota chosen is kept for a second run.
set -euo pipefail
kl_etcdctl_env
manifest=/etc/kubernetes/manifests/etcd.yaml
state="$(kl_state)"
metrics_host="${ETCD_METRICS_HOST:-127.0.0.1}"
metrics_port="${ETCD_METRICS_PORT:-2381}"
started() {
  kb_http_get "$metrics_host" "$metrics_port" /metrics 2>/dev/null |
    sed -n 's/^process_start_time_seconds //p' || true
}
if etcdctl alarm list | grep -q NOSPACE; then
  exit 0
fi
if [ ! -s "$state/quota" ]; then
  quota="$KLUSTERED_PARAM_QUOTA_BYTES"
  if [ "$quota" -eq 0 ]; then
    size="$(etcdctl endpoint status -w json | grep -o '"dbSize":[0-9]*' | head -n 1 | cut -d: -f2)"
    quota=$((size + KLUSTERED_PARAM_HEADROOM_BYTES))
  fi
  echo "$quota" >"$state/quota"
fi
quota="$(cat "$state/quota")"
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
etcdctl alarm list | grep -q NOSPACE || kl_fail "etcd did not run out of space"
