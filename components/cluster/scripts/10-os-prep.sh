#!/usr/bin/env bash
# Phase 10: host name, swap off (now and in fstab), kernel modules and sysctls for kubelet.
# Inputs: NODE_NAME.
: "${NODE_NAME:?}"

if [ "$(cat /etc/hostname 2>/dev/null || true)" != "$NODE_NAME" ]; then
  hostnamectl set-hostname "$NODE_NAME"
fi

if [ -n "$(swapon --show=NAME --noheadings)" ]; then
  swapoff -a
fi
if [ -f /etc/fstab ]; then
  fstab_mode="$(stat -c %a /etc/fstab)"
  fstab="$(awk '$1 !~ /^#/ && $3 == "swap" { print "#" $0; next } { print }' /etc/fstab)"
  if write_file /etc/fstab "$fstab_mode" "$fstab"; then
    log "swap entries commented out in /etc/fstab"
  fi
fi

modules=(overlay br_netfilter)
write_file /etc/modules-load.d/klustered-k8s.conf 0644 "$(printf '%s\n' "${modules[@]}")" || true
for module in "${modules[@]}"; do
  if [ ! -d "/sys/module/$module" ]; then
    modprobe "$module"
  fi
done

sysctls=(
  net.bridge.bridge-nf-call-iptables=1
  net.bridge.bridge-nf-call-ip6tables=1
  net.ipv4.ip_forward=1
)
apply=0
if write_file /etc/sysctl.d/99-klustered-k8s.conf 0644 "$(printf '%s\n' "${sysctls[@]}" | sed 's/=/ = /')"; then
  apply=1
fi
for setting in "${sysctls[@]}"; do
  if [ "$(sysctl -n "${setting%%=*}" 2>/dev/null || true)" != "${setting#*=}" ]; then
    apply=1
  fi
done
if [ "$apply" = 1 ]; then
  sysctl --system >/dev/null
fi
log "os prep done on $NODE_NAME"
