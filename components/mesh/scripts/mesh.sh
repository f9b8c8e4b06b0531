#!/usr/bin/env bash
# Mesh bootstrap phase: WireGuard interface and the firewall that keeps kubelet and etcd
# on the mesh. Sent on stdin; every value below is exported at the top by render_script:
#   WG_CONF           the full wg-quick config of this node (holds the private key)
#   WG_INTERFACE      mesh interface name (wg0)
#   WG_ADDRESS        this node's mesh address with prefix (must match WG_CONF)
#   WG_MTU            mesh MTU (must match WG_CONF)
#   WG_PORT           mesh UDP port
#   WG_CONF_DIR       where wg-quick reads its configs (/etc/wireguard)
#   PUBLIC_INTERFACE  the public NIC; empty means the interface of the default route
#   MESH_CHAIN        the iptables chain this phase owns
# Running it twice changes nothing; a new peer list is applied with `wg syncconf`.
set -euo pipefail

: "${WG_CONF:?}" "${WG_INTERFACE:?}" "${WG_ADDRESS:?}" "${WG_MTU:?}" "${WG_PORT:?}"
: "${WG_CONF_DIR:?}" "${MESH_CHAIN:?}"
PUBLIC_INTERFACE="${PUBLIC_INTERFACE:-}"

log() { printf 'mesh: %s\n' "$*" >&2; }

retry() {
  local attempt=1
  until "$@"; do
    if [ "$attempt" -ge 5 ]; then
      log "giving up after $attempt attempts: $*"
      return 1
    fi
    sleep $((attempt * 5))
    attempt=$((attempt + 1))
  done
}

# 1. Packages: wireguard-tools (wg, wg-quick) and iptables, only when missing.
missing=()
command -v wg >/dev/null 2>&1 || missing+=(wireguard-tools)
command -v wg-quick >/dev/null 2>&1 || missing+=(wireguard-tools)
command -v iptables-restore >/dev/null 2>&1 || missing+=(iptables)
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  retry apt-get -o DPkg::Lock::Timeout=600 update -qq
  # shellcheck disable=SC2046 # word splitting of the de-duplicated package list is wanted
  retry apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
    $(printf '%s\n' "${missing[@]}" | sort -u)
fi

# 2. The config, 0600, rewritten only when its content changes.
umask 077
install -d -m 0700 "$WG_CONF_DIR"
conf="$WG_CONF_DIR/$WG_INTERFACE.conf"
changed=0
if ! printf '%s\n' "${WG_CONF%$'\n'}" | cmp -s - "$conf"; then
  tmp="$(mktemp "$WG_CONF_DIR/.$WG_INTERFACE.conf.XXXXXX")"
  printf '%s\n' "${WG_CONF%$'\n'}" >"$tmp"
  chmod 0600 "$tmp"
  mv -f "$tmp" "$conf"
  changed=1
  log "wrote $conf"
fi
chmod 0600 "$conf"

# 3. The interface: started once, peers synced in place, restarted only when the
#    address or MTU it runs with differs from the config.
unit="wg-quick@$WG_INTERFACE"
if ! systemctl is-enabled --quiet "$unit"; then
  systemctl enable "$unit"
fi
running_mtu() { ip -o link show dev "$WG_INTERFACE" 2>/dev/null | awk '{for (i = 1; i < NF; i++) if ($i == "mtu") print $(i + 1)}'; }
has_address() { ip -o -4 addr show dev "$WG_INTERFACE" 2>/dev/null | awk -v a="$WG_ADDRESS" '$4 == a {found = 1} END {exit !found}'; }
if ! systemctl is-active --quiet "$unit"; then
  systemctl start "$unit"
  log "started $unit"
elif ! has_address || [ "$(running_mtu)" != "$WG_MTU" ]; then
  systemctl restart "$unit"
  log "restarted $unit (address or MTU changed)"
elif [ "$changed" = 1 ]; then
  stripped="$(mktemp)"
  trap 'rm -f "$stripped"' EXIT
  wg-quick strip "$conf" >"$stripped"
  wg syncconf "$WG_INTERFACE" "$stripped"
  log "synced peers of $WG_INTERFACE"
fi

# 4. Firewall, in a chain of our own that is flushed and refilled atomically:
#    the mesh port is open on the public NIC; kubelet (10250) and etcd (2379-2380) are
#    accepted on the mesh and dropped on the public NIC. Everything else (SSH 22,
#    Teleport 443 and 3022-3026, the API server 6443) is left as it was.
if [ -z "$PUBLIC_INTERFACE" ]; then
  PUBLIC_INTERFACE="$(ip -o route show default | awk '{for (i = 1; i < NF; i++) if ($i == "dev") {print $(i + 1); exit}}')"
fi
if [ -z "$PUBLIC_INTERFACE" ]; then
  log "no default route: set PUBLIC_INTERFACE"
  exit 1
fi
rules() {
  printf '%s\n' \
    '*filter' \
    ":$MESH_CHAIN - [0:0]" \
    "-A $MESH_CHAIN -i $WG_INTERFACE -p tcp -m multiport --dports 10250,2379:2380 -j ACCEPT" \
    "-A $MESH_CHAIN -i $PUBLIC_INTERFACE -p udp --dport $WG_PORT -j ACCEPT" \
    "-A $MESH_CHAIN -i $PUBLIC_INTERFACE -p tcp -m multiport --dports 10250,2379:2380 -j DROP" \
    'COMMIT'
}
for family in iptables ip6tables; do
  command -v "$family-restore" >/dev/null 2>&1 || continue
  rules | "$family-restore" -w --noflush
  if ! "$family" -w -C INPUT -j "$MESH_CHAIN" 2>/dev/null; then
    "$family" -w -I INPUT 1 -j "$MESH_CHAIN"
  fi
done
log "ready: $WG_INTERFACE $WG_ADDRESS mtu $WG_MTU, public $PUBLIC_INTERFACE"
