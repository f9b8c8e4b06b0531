#!/usr/bin/env bash
# Phase 50 on every other node: `kubeadm join`, pinned to the cluster CA, discovering the
# cluster through the endpoint name (a real control plane, phase 45). A control plane gets
# the program's CAs and service-account key placed first (no certificate key needed).
# kubeadm keeps retrying discovery for 5 minutes (timeouts.discovery) while the join-token
# step on a live control plane makes sure the bootstrap token is valid.
# Afterwards kubelet uses the node-local load balancer; a control plane's endpoint name
# points at its own API server.
# Inputs (secret, on stdin): KUBEADM_CONFIG, CONTROL_PLANE (1 or 0), PKI_* on control
# planes; NODE_NAME, NODE_ADDRESS, API_ENDPOINT_NAME, LOCAL_API_SERVER,
# LOCAL_API_WAIT_SECONDS.
: "${KUBEADM_CONFIG:?}" "${CONTROL_PLANE:?}" "${NODE_NAME:?}" "${NODE_ADDRESS:?}"
: "${API_ENDPOINT_NAME:?}" "${LOCAL_API_SERVER:?}" "${LOCAL_API_WAIT_SECONDS:?}"
KUBEADM_LOG=/var/log/klustered/kubeadm-join.log

join_node() {
  local config
  if [ "$CONTROL_PLANE" = 1 ]; then
    place_pki
  fi
  secret_file config kubeadm-join
  printf '%s\n' "${KUBEADM_CONFIG%$'\n'}" >"$config"
  run_kubeadm join --config "$config"
}

kubeadm_bootstrap join join_node
use_local_api /etc/kubernetes/kubelet.conf
if [ "$CONTROL_PLANE" = 1 ]; then
  point_api_endpoint "$NODE_ADDRESS"
fi
