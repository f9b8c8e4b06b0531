#!/usr/bin/env bash
# Phase 45 on every node: the control-plane endpoint name resolves to the API address,
# through one managed line in /etc/hosts (re-pointable without re-issuing certificates).
# Inputs: API_ENDPOINT_NAME, API_ENDPOINT_ADDRESS.
: "${API_ENDPOINT_NAME:?}" "${API_ENDPOINT_ADDRESS:?}"

marker="# klustered api endpoint"
line="$API_ENDPOINT_ADDRESS $API_ENDPOINT_NAME $marker"
hosts_mode="$(stat -c %a /etc/hosts 2>/dev/null || echo 644)"
current="$(grep -vF "$marker" /etc/hosts 2>/dev/null || true)"
if write_file /etc/hosts "$hosts_mode" "${current:+$current
}$line"; then
  log "$API_ENDPOINT_NAME -> $API_ENDPOINT_ADDRESS"
fi
