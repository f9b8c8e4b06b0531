#!/usr/bin/env bash
# Phase 20: containerd from the distribution, systemd cgroups, crictl pointed at it.
# Inputs: none.

apt_install containerd

config="$(containerd config default | sed 's/SystemdCgroup = false/SystemdCgroup = true/')"
grep -q 'SystemdCgroup = true' <<<"$config" ||
  die "containerd's default config has no SystemdCgroup option to turn on"

restart=0
if write_file /etc/containerd/config.toml 0644 "$config"; then
  restart=1
fi
crictl_config="runtime-endpoint: unix:///run/containerd/containerd.sock
image-endpoint: unix:///run/containerd/containerd.sock
timeout: 30"
write_file /etc/crictl.yaml 0644 "$crictl_config" || true

if ! systemctl is-enabled --quiet containerd; then
  systemctl enable containerd
fi
if [ "$restart" = 1 ] || ! systemctl is-active --quiet containerd; then
  systemctl restart containerd
fi
log "containerd ready"
