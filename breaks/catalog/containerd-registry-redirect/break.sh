#!/usr/bin/env bash
# Send every ghcr.io pull to a mirror with no fallback, drop the cached v2 image and
# make sure containerd reads /etc/containerd/certs.d.
set -euo pipefail
config=/etc/containerd/config.toml
hosts_dir=/etc/containerd/certs.d/ghcr.io
want="$(printf 'server = "%s"\n\n[host."%s"]\n  capabilities = ["pull", "resolve"]' \
  "$KLUSTERED_PARAM_MIRROR" "$KLUSTERED_PARAM_MIRROR")"
mkdir -p "$hosts_dir"
if [ "$(cat "$hosts_dir/hosts.toml" 2>/dev/null || true)" != "$want" ]; then
  printf '%s\n' "$want" >"$hosts_dir/hosts.toml"
fi
if ! grep -Eq "^[[:space:]]*config_path[[:space:]]*=[[:space:]]*[\"'][^\"']*/etc/containerd/certs\.d" "$config"; then
  grep -Eq '^[[:space:]]*config_path[[:space:]]*=' "$config" || {
    echo "no registry config_path in $config" >&2
    exit 1
  }
  kl_backup "$config"
  sed -i -E "s#^([[:space:]]*config_path[[:space:]]*=[[:space:]]*)[\"'][^\"']*[\"']#\1\"/etc/containerd/certs.d\"#" "$config"
fi
crictl rmi "$KLUSTERED_V2_IMAGE" >/dev/null 2>&1 || true
systemctl restart containerd
