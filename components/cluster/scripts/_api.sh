#!/usr/bin/env bash
# Helpers for the API endpoint name and the node-local load balancer (phases 45 and 50).
# Inputs they read: API_ENDPOINT_NAME, CONTROL_PLANE_ADDRESSES (space-separated, in
# index order), NODE_ADDRESS (this node's cluster address), LOCAL_API_SERVER,
# LOCAL_API_WAIT_SECONDS.
HOSTS_MARKER="# klustered api endpoint"
API_PORT=6443
KUBEADM_DONE=/var/lib/klustered/kubeadm.done

# api_healthy ADDRESS: the API server at ADDRESS answers /healthz with "ok".
api_healthy() {
  [ "$(curl -fsk --max-time 3 "https://$1:$API_PORT/healthz" 2>/dev/null || true)" = ok ]
}

# live_control_plane: print the first other control plane whose API answers.
live_control_plane() {
  local address
  for address in $CONTROL_PLANE_ADDRESSES; do
    [ "$address" = "$NODE_ADDRESS" ] && continue
    if api_healthy "$address"; then
      printf '%s\n' "$address"
      return 0
    fi
  done
  return 1
}

# runs_api_server: this node is a bootstrapped control plane (its API server is local).
runs_api_server() {
  [ -f "$KUBEADM_DONE" ] && [ -f /etc/kubernetes/manifests/kube-apiserver.yaml ]
}

current_api_endpoint() {
  awk -v marker="$HOSTS_MARKER" 'index($0, marker) { print $1; exit }' /etc/hosts 2>/dev/null || true
}

# choose_api_endpoint: where the endpoint name should point from this node. A control
# plane with its own API server: itself. Otherwise the first control plane that answers,
# else the current choice while it is still a control plane, else control-plane-1.
choose_api_endpoint() {
  local current address
  if runs_api_server; then
    printf '%s\n' "$NODE_ADDRESS"
    return
  fi
  if live_control_plane; then
    return
  fi
  current="$(current_api_endpoint)"
  for address in $CONTROL_PLANE_ADDRESSES; do
    if [ "$address" = "$current" ]; then
      printf '%s\n' "$current"
      return
    fi
  done
  read -r address _ <<<"$CONTROL_PLANE_ADDRESSES"
  printf '%s\n' "$address"
}

# point_api_endpoint ADDRESS: the endpoint name resolves to ADDRESS, through one managed
# line in /etc/hosts (re-pointable without re-issuing certificates).
point_api_endpoint() {
  local line="$1 $API_ENDPOINT_NAME $HOSTS_MARKER" mode current
  mode="$(stat -c %a /etc/hosts 2>/dev/null || echo 644)"
  current="$(grep -vF "$HOSTS_MARKER" /etc/hosts 2>/dev/null || true)"
  if write_file /etc/hosts "$mode" "${current:+$current
}$line"; then
    log "$API_ENDPOINT_NAME -> $1"
  fi
}

# local_api_verified: the node-local load balancer answers /healthz with a certificate the
# cluster CA signed for 127.0.0.1 (a cluster made before 127.0.0.1 was a SAN fails this).
local_api_verified() {
  [ "$(curl -fsS --max-time 3 --cacert /etc/kubernetes/pki/ca.crt "$LOCAL_API_SERVER/healthz" 2>/dev/null || true)" = ok ]
}

# use_local_api FILE: a kubeconfig's server becomes the node-local load balancer, once it
# answers (bounded wait: its checks need a few seconds to see a fresh API server);
# kubelet restarts when it was kubelet's. Without a verified answer the file is kept.
use_local_api() {
  local file="$1" content deadline
  [ -f "$file" ] || return 0
  if ! grep -qF "server: $LOCAL_API_SERVER" "$file"; then
    deadline=$(($(date +%s) + LOCAL_API_WAIT_SECONDS))
    until local_api_verified; do
      if [ "$(date +%s)" -ge "$deadline" ]; then
        log "warning: $LOCAL_API_SERVER does not answer with a certificate for 127.0.0.1: $file keeps its server"
        return 0
      fi
      sleep 2
    done
  fi
  content="$(sed -E "s#^([[:space:]]*server:).*#\\1 $LOCAL_API_SERVER#" "$file")"
  if write_file "$file" 0600 "$content"; then
    log "$file uses the node-local API load balancer"
    if [ "$file" = /etc/kubernetes/kubelet.conf ]; then
      systemctl restart kubelet
    fi
  fi
}
