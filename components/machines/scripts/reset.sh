#!/usr/bin/env bash
# Reset of a machine the host already had (provider existing), run as root when its node
# leaves the stack: undo what the bootstrap phases set up so that a later stack can
# bootstrap the host again, and leave the machine itself running. Safe to run twice, and
# on a host that was never bootstrapped. Prints nothing secret.
# Inputs: WG_INTERFACE, WG_CONF_DIR, MESH_CHAIN, HOSTS_MARKER, STATE_DIR.
set -euo pipefail
: "${WG_INTERFACE:?}" "${WG_CONF_DIR:?}" "${MESH_CHAIN:?}" "${HOSTS_MARKER:?}" "${STATE_DIR:?}"

log() { printf 'reset: %s\n' "$*" >&2; }

# 1. Kubernetes: kubeadm reset removes the static pods, etcd's data, /etc/kubernetes (the
#    admin.conf and kubelet.conf whose presence makes init and join skip) and kubelet's state.
if command -v kubeadm >/dev/null 2>&1; then
  kubeadm reset -f >/dev/null 2>&1 || log "kubeadm reset failed; removing its files by hand"
fi
rm -rf /etc/kubernetes/manifests /etc/kubernetes/pki /var/lib/etcd
rm -f /etc/kubernetes/admin.conf /etc/kubernetes/kubelet.conf /etc/kubernetes/super-admin.conf \
  /etc/kubernetes/controller-manager.conf /etc/kubernetes/scheduler.conf
if systemctl is-active --quiet kubelet 2>/dev/null; then
  systemctl stop kubelet
fi
if systemctl is-enabled --quiet kubelet 2>/dev/null; then
  systemctl disable kubelet
fi

# 2. Cilium: its CNI config and host interfaces (a new cluster installs its own).
rm -f /etc/cni/net.d/05-cilium.conflist /etc/cni/net.d/05-cilium.conf
for link in cilium_host cilium_net cilium_vxlan; do
  if ip link show "$link" >/dev/null 2>&1; then
    ip link delete "$link" || log "could not delete $link"
  fi
done

# 3. The WireGuard mesh: interface, config and the firewall chain the mesh phase owns.
unit="wg-quick@$WG_INTERFACE"
if systemctl is-active --quiet "$unit" 2>/dev/null; then
  systemctl stop "$unit"
fi
if systemctl is-enabled --quiet "$unit" 2>/dev/null; then
  systemctl disable "$unit"
fi
rm -f "$WG_CONF_DIR/$WG_INTERFACE.conf"
for family in iptables ip6tables; do
  command -v "$family" >/dev/null 2>&1 || continue
  while "$family" -w -D INPUT -j "$MESH_CHAIN" 2>/dev/null; do :; done
  if "$family" -w -n -L "$MESH_CHAIN" >/dev/null 2>&1; then
    "$family" -w -F "$MESH_CHAIN"
    "$family" -w -X "$MESH_CHAIN"
  fi
done

# 4. The API endpoint line in /etc/hosts, and the phases' own state (stamps).
if [ -f /etc/hosts ] && grep -qF "$HOSTS_MARKER" /etc/hosts; then
  kept="$(grep -vF "$HOSTS_MARKER" /etc/hosts || true)"
  printf '%s\n' "$kept" >/etc/hosts
fi
rm -rf "$STATE_DIR"

# Left in place: packages (containerd, kubelet, kubeadm, kubectl, wireguard-tools), swap
# off, kernel modules and sysctls, the host name. A later bootstrap reuses or replaces them.
log "done: the host can be bootstrapped again"
