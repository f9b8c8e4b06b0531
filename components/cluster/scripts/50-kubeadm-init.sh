#!/usr/bin/env bash
# Phase 50 on control-plane-1. A fresh cluster: place the program's CAs and service-account
# key, then `kubeadm init` (no --upload-certs: every control plane gets the CAs this way).
# When another control plane already serves the API (control-plane-1's machine was
# replaced), it joins that cluster as a control plane instead of starting a new one.
# Afterwards kubelet uses the node-local load balancer and the endpoint name points here.
# Inputs (secret, on stdin): KUBEADM_CONFIG (init), KUBEADM_JOIN_CONFIG, K8S_VERSION (may
# be empty), PKI_*; NODE_NAME, NODE_ADDRESS, API_ENDPOINT_NAME, CONTROL_PLANE_ADDRESSES,
# LOCAL_API_SERVER, LOCAL_API_WAIT_SECONDS.
: "${KUBEADM_CONFIG:?}" "${KUBEADM_JOIN_CONFIG:?}" "${NODE_NAME:?}" "${NODE_ADDRESS:?}"
: "${API_ENDPOINT_NAME:?}" "${CONTROL_PLANE_ADDRESSES:?}" "${LOCAL_API_SERVER:?}"
: "${LOCAL_API_WAIT_SECONDS:?}"
K8S_VERSION="${K8S_VERSION:-}"
KUBEADM_LOG=/var/log/klustered/kubeadm-init.log

bootstrap_first_control_plane() {
  local config
  place_pki
  if live="$(live_control_plane)"; then
    log "$NODE_NAME: the control plane at $live serves the API: joining it"
    point_api_endpoint "$live"
    secret_file config kubeadm-join
    printf '%s\n' "${KUBEADM_JOIN_CONFIG%$'\n'}" >"$config"
    run_kubeadm join --config "$config"
    return
  fi
  point_api_endpoint "$NODE_ADDRESS"
  secret_file config kubeadm-init
  printf '%s\n' "${KUBEADM_CONFIG%$'\n'}" >"$config"
  if [ -z "$K8S_VERSION" ]; then
    K8S_VERSION="$(kubeadm version -o short)"
  fi
  # ClusterConfiguration is the last document: a top-level key appended here belongs to it.
  if ! grep -q '^kubernetesVersion:' "$config"; then
    echo "kubernetesVersion: ${K8S_VERSION}" >>"$config"
  fi
  run_kubeadm init --config "$config"
}

kubeadm_bootstrap init bootstrap_first_control_plane
use_local_api /etc/kubernetes/kubelet.conf
point_api_endpoint "$NODE_ADDRESS"
