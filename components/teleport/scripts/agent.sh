#!/usr/bin/env bash
# Node bootstrap phase: the Teleport SSH agent with the node's team labels.
# Inputs: TELEPORT_VERSION, TELEPORT_CHANNEL, TELEPORT_CONFIG (teleport.yaml), JOIN_OUTPUT
# (what join-token.sh printed: a token, then CA pins; secret), TOKEN_FILE, CA_PIN_FILE,
# DIAG_ADDR, READY_TIMEOUT.
# Idempotent: a re-run on a node that already joined keeps its identity and does not
# restart it; a node joined to another cluster (other CA pins) is reset and joins this one.
: "${TELEPORT_CONFIG:?}" "${JOIN_OUTPUT:?}" "${TOKEN_FILE:?}" "${CA_PIN_FILE:?}"
: "${READY_TIMEOUT:?}"
data_dir=/var/lib/teleport

token="$(head -n 1 <<<"$JOIN_OUTPUT")"
pins="$(tail -n +2 <<<"$JOIN_OUTPUT")"
[[ "$token" =~ ^[A-Za-z0-9]+$ ]] || die "the join output holds no token"
[ -n "$pins" ] || die "the join output holds no CA pin"
while read -r pin; do
  [[ "$pin" =~ ^sha256:[0-9a-f]{64}$ ]] || die "the join output holds a malformed CA pin"
done <<<"$pins"

install_teleport

restart=0
if [ -s "$CA_PIN_FILE" ] && [ "$(cat "$CA_PIN_FILE")" != "$pins" ]; then
  log "the Teleport cluster changed (new CA pins): resetting this node's agent"
  systemctl stop teleport || true
  rm -rf "$data_dir"
  restart=1
fi
install -d -m 0700 "$data_dir"
install -d -m 0755 "$(dirname "$TOKEN_FILE")" "$(dirname "$CA_PIN_FILE")"

token_changed=0
if write_file "$TOKEN_FILE" 0600 "$token"; then token_changed=1; fi
if write_file "$CA_PIN_FILE" 0644 "$pins"; then restart=1; fi
if write_file /etc/teleport.yaml 0644 "$TELEPORT_CONFIG"; then restart=1; fi
if write_unit; then restart=1; fi
if ! systemctl is-enabled --quiet teleport; then systemctl enable teleport; fi
if ! systemctl is-active --quiet teleport; then restart=1; fi
# A new token only matters to an agent that has not joined yet.
if [ "$token_changed" = 1 ] && ! ready; then restart=1; fi
if [ "$restart" = 1 ]; then
  systemctl restart teleport
fi

poll "$READY_TIMEOUT" ready ||
  die "the teleport agent did not join within ${READY_TIMEOUT}s (journalctl -u teleport)"
log "teleport agent ready"
