#!/usr/bin/env bash
# Phase 40: pre-pull the control-plane images the installed kubeadm needs (missing ones only).
# kube-proxy is left out: Cilium replaces it and kubeadm never deploys it (proxy.disabled).
# Inputs: K8S_VERSION (v1.34.2, or empty to use the installed kubeadm's own version).
K8S_VERSION="${K8S_VERSION:-}"
if [ -z "$K8S_VERSION" ]; then
  K8S_VERSION="$(kubeadm version -o short)"
fi

mapfile -t images < <(kubeadm config images list --kubernetes-version "$K8S_VERSION" | grep -v '/kube-proxy:')
[ "${#images[@]}" -gt 0 ] || die "kubeadm listed no images for $K8S_VERSION"
for image in "${images[@]}"; do
  if crictl inspecti "$image" >/dev/null 2>&1; then
    continue
  fi
  retry 5 crictl pull "$image" >/dev/null
  log "pulled $image"
done
log "images for $K8S_VERSION present"
