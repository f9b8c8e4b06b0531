#!/usr/bin/env bash
# Phase 50 on control-plane-1: place the cluster CAs and service-account keys made by the
# program, then `kubeadm init` with uploaded certificates. Skipped once admin.conf exists.
# Inputs (all secret, delivered on stdin): KUBEADM_CONFIG, K8S_VERSION (may be empty),
# PKI_CA_CRT, PKI_CA_KEY, PKI_FRONT_PROXY_CA_CRT, PKI_FRONT_PROXY_CA_KEY, PKI_ETCD_CA_CRT,
# PKI_ETCD_CA_KEY, PKI_SA_KEY, PKI_SA_PUB.
: "${KUBEADM_CONFIG:?}"
K8S_VERSION="${K8S_VERSION:-}"

if [ -f /etc/kubernetes/admin.conf ]; then
  log "control plane already initialised"
  exit 0
fi

pki=/etc/kubernetes/pki
# place CONTENT PATH MODE: the PEM text with exactly one trailing newline.
place() {
  write_file "$2" "$3" "$1" || true
}
place "${PKI_CA_CRT:?}" "$pki/ca.crt" 0644
place "${PKI_CA_KEY:?}" "$pki/ca.key" 0600
place "${PKI_FRONT_PROXY_CA_CRT:?}" "$pki/front-proxy-ca.crt" 0644
place "${PKI_FRONT_PROXY_CA_KEY:?}" "$pki/front-proxy-ca.key" 0600
place "${PKI_ETCD_CA_CRT:?}" "$pki/etcd/ca.crt" 0644
place "${PKI_ETCD_CA_KEY:?}" "$pki/etcd/ca.key" 0600
place "${PKI_SA_KEY:?}" "$pki/sa.key" 0600
place "${PKI_SA_PUB:?}" "$pki/sa.pub" 0644

# The config holds the bootstrap token and certificate key: keep it in a private temp file.
config="$(mktemp)"
trap 'rm -f "$config"' EXIT
printf '%s\n' "${KUBEADM_CONFIG%$'\n'}" >"$config"
if [ -z "$K8S_VERSION" ]; then
  K8S_VERSION="$(kubeadm version -o short)"
fi
# ClusterConfiguration is the last document, so a top-level key appended here belongs to it.
if ! grep -q '^kubernetesVersion:' "$config"; then
  echo "kubernetesVersion: ${K8S_VERSION}" >>"$config"
fi

kubeadm init --config "$config" --upload-certs
log "control plane initialised"
