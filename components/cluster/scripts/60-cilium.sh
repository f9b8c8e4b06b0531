#!/usr/bin/env bash
# Phase 60 on control-plane-1: Cilium (pinned chart) with Helm (pinned, checksum verified,
# for the node's architecture). Cilium reaches the API through the node-local load balancer.
# A stamp of version + values makes a second run a no-op.
# Inputs: CILIUM_VERSION, CILIUM_VALUES (YAML), HELM_VERSION (v3.x.y).
: "${CILIUM_VERSION:?}" "${CILIUM_VALUES:?}" "${HELM_VERSION:?}"
export KUBECONFIG=/etc/kubernetes/admin.conf
helm=/usr/local/bin/helm

installed_helm() {
  "$helm" version --template '{{.Version}}' 2>/dev/null || true
}

if [ ! -x "$helm" ] || [ "$(installed_helm)" != "$HELM_VERSION" ]; then
  arch="$(dpkg --print-architecture)"
  work="$(mktemp -d)"
  CLEANUP+=("$work")
  tarball="helm-${HELM_VERSION}-linux-${arch}.tar.gz"
  retry 5 curl -fsSL --retry 3 -o "$work/$tarball" "https://get.helm.sh/$tarball"
  retry 5 curl -fsSL --retry 3 -o "$work/$tarball.sha256sum" "https://get.helm.sh/$tarball.sha256sum"
  (cd "$work" && sha256sum --check --status "$tarball.sha256sum") || die "helm checksum mismatch"
  tar -xzf "$work/$tarball" -C "$work" "linux-${arch}/helm"
  install -D -m 0755 "$work/linux-${arch}/helm" "$helm"
  log "installed helm $HELM_VERSION ($arch)"
fi

stamp_file=/var/lib/klustered/cilium.stamp
stamp="${CILIUM_VERSION} $(printf '%s\n' "$CILIUM_VALUES" | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp_file" 2>/dev/null || true)" = "$stamp" ] &&
  "$helm" status cilium --namespace kube-system >/dev/null 2>&1; then
  log "cilium $CILIUM_VERSION already installed"
  exit 0
fi

values="$(mktemp)"
CLEANUP+=("$values")
printf '%s\n' "$CILIUM_VALUES" >"$values"
retry 3 "$helm" upgrade --install cilium cilium --repo https://helm.cilium.io/ \
  --version "$CILIUM_VERSION" --namespace kube-system --values "$values" \
  --wait --timeout 10m
write_file "$stamp_file" 0644 "$stamp" || true
log "cilium $CILIUM_VERSION installed"
