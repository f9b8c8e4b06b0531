#!/usr/bin/env bash
# The Teleport server (auth + proxy): pinned package, config, service; done when tctl answers.
# Inputs: TELEPORT_VERSION, TELEPORT_CHANNEL, TELEPORT_CONFIG (teleport.yaml), CLUSTER_NAME,
# DIAG_ADDR, READY_TIMEOUT (seconds).
: "${TELEPORT_CONFIG:?}" "${CLUSTER_NAME:?}" "${READY_TIMEOUT:?}"
data_dir=/var/lib/teleport
marker="$data_dir/.klustered-cluster-name"

install_teleport

# A cluster name is permanent: a new name means a new cluster (new CA, agents re-join).
if [ -s "$marker" ] && [ "$(cat "$marker")" != "$CLUSTER_NAME" ]; then
  log "cluster name changed from $(cat "$marker") to $CLUSTER_NAME: starting a new cluster"
  systemctl stop teleport || true
  rm -rf "$data_dir"
fi
install -d -m 0700 "$data_dir"

restart=0
if write_file /etc/teleport.yaml 0600 "$TELEPORT_CONFIG"; then restart=1; fi
if write_unit; then restart=1; fi
if ! systemctl is-enabled --quiet teleport; then systemctl enable teleport; fi
if [ "$restart" = 1 ] || ! systemctl is-active --quiet teleport; then
  systemctl restart teleport
fi

auth_answers() { tctl status >/dev/null 2>&1; }
poll "$READY_TIMEOUT" ready || die "teleport is not ready after ${READY_TIMEOUT}s (journalctl -u teleport)"
poll "$READY_TIMEOUT" auth_answers || die "tctl cannot reach the auth service after ${READY_TIMEOUT}s"
write_file "$marker" 0600 "$CLUSTER_NAME" || true
log "teleport cluster $CLUSTER_NAME is up"
