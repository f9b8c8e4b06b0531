#!/usr/bin/env bash
# Replace kubelet with an old release (the original binary is kept for solve.sh in this
# break's state directory on the node).
set -euo pipefail
bin=/usr/bin/kubelet
version="$KLUSTERED_PARAM_VERSION"
state="$(kl_state)"
if [ ! -e "$state/kubelet.orig" ]; then
  cp -p "$bin" "$state/kubelet.orig"
fi
if ! "$bin" --version 2>/dev/null | grep -qx "Kubernetes ${version}"; then
  case "$(uname -m)" in aarch64) arch=arm64 ;; *) arch=amd64 ;; esac
  kl_retry 5 curl -fsSL --connect-timeout 10 -o "$state/kubelet.download" \
    "https://dl.k8s.io/release/${version}/bin/linux/${arch}/kubelet"
  install -m 0755 "$state/kubelet.download" "$bin"
  rm -f "$state/kubelet.download"
  systemctl restart kubelet
  sleep "$KLUSTERED_PARAM_SETTLE_SECONDS"
fi
