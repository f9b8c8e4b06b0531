#!/usr/bin/env bash
# Remove the redirect, put config.toml back if the break changed it, restart containerd.
set -euo pipefail
rm -f /etc/containerd/certs.d/ghcr.io/hosts.toml
rmdir /etc/containerd/certs.d/ghcr.io /etc/containerd/certs.d 2>/dev/null || true
kl_restore /etc/containerd/config.toml
systemctl restart containerd
