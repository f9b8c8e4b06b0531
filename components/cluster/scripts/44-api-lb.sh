#!/usr/bin/env bash
# Phase 44 on every node: the node-local API load balancer, haproxy on 127.0.0.1 with every
# control plane as a health-checked backend. The config is written before the package is
# installed (the package keeps it), checked with `haproxy -c`, and reloaded on change.
# Inputs: HAPROXY_CFG (the rendered haproxy.cfg).
: "${HAPROXY_CFG:?}"
cfg=/etc/haproxy/haproxy.cfg

changed=0
if write_file "$cfg" 0644 "$HAPROXY_CFG"; then
  changed=1
fi
apt_install haproxy
haproxy -c -q -f "$cfg" || die "haproxy rejects $cfg"

if ! systemctl is-enabled --quiet haproxy; then
  systemctl enable haproxy
fi
if ! systemctl is-active --quiet haproxy; then
  systemctl start haproxy
elif [ "$changed" = 1 ]; then
  systemctl reload haproxy
fi
log "api load balancer on 127.0.0.1 ready"
