#!/usr/bin/env bash
# Give etcd its normal quota back (and wait for its restart only when the manifest really
# changes: fixers may have put it back already), delete the junk, compact, defrag, disarm.
set -euo pipefail
kl_etcdctl_env
manifest=/etc/kubernetes/manifests/etcd.yaml
state="$(kl_state)"
saved="$state/$(printf '%s' "$manifest" | tr '/' '_')"
metrics_host="${ETCD_METRICS_HOST:-127.0.0.1}"
metrics_port="${ETCD_METRICS_PORT:-2381}"
started() {
  kb_http_get "$metrics_host" "$metrics_port" /metrics 2>/dev/null |
    sed -n 's/^process_start_time_seconds //p' || true
}
if [ -e "$saved" ]; then
  if cmp -s "$saved" "$manifest"; then
    rm -f "$saved"
  else
    before="$(started)"
    kl_restore "$manifest"
    restarted() { local now; now="$(started)"; [ -n "$now" ] && [ "$now" != "$before" ]; }
    kb_wait 180 restarted
  fi
fi
kb_wait 120 etcdctl endpoint status
if [ -n "$(etcdctl get --prefix --keys-only /klustered/filler/ | head -c 1)" ]; then
  etcdctl del --prefix /klustered/filler/ >/dev/null
fi
revision="$(etcdctl endpoint status -w json | grep -o '"revision":[0-9]*' | head -n 1 | cut -d: -f2)"
etcdctl compact "$revision" >/dev/null 2>&1 || true
etcdctl defrag >/dev/null
if etcdctl alarm list | grep -q NOSPACE; then
  etcdctl alarm disarm >/dev/null
fi
kb_wait 60 etcdctl endpoint health
rm -f "$state/quota"
