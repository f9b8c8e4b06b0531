#!/usr/bin/env bash
# Give etcd its normal quota back, delete the junk, compact, defragment, disarm.
set -euo pipefail
kl_etcdctl_env
manifest=/etc/kubernetes/manifests/etcd.yaml
metrics_host="${ETCD_METRICS_HOST:-127.0.0.1}"
metrics_port="${ETCD_METRICS_PORT:-2381}"
started() {
  kb_http_get "$metrics_host" "$metrics_port" /metrics 2>/dev/null |
    sed -n 's/^process_start_time_seconds //p' || true
}
if [ -e "$(kl_state)/$(printf '%s' "$manifest" | tr '/' '_')" ]; then
  before="$(started)"
  kl_restore "$manifest"
  restarted() { local now; now="$(started)"; [ -n "$now" ] && [ "$now" != "$before" ]; }
  kb_wait 180 restarted
  kb_wait 120 etcdctl endpoint status
fi
if [ -n "$(etcdctl get --prefix --keys-only /klustered/filler/ | head -c 1)" ]; then
  etcdctl del --prefix /klustered/filler/ >/dev/null
  revision="$(etcdctl endpoint status -w json | grep -o '"revision":[0-9]*' | head -n 1 | cut -d: -f2)"
  etcdctl compact "$revision" >/dev/null
  etcdctl defrag >/dev/null
fi
if etcdctl alarm list | grep -q NOSPACE; then
  etcdctl alarm disarm >/dev/null
fi
kb_wait 60 etcdctl endpoint health
