#!/usr/bin/env bash
# Reset of a machine the host already had (provider existing), run as root when its node
# leaves the stack: undo what the node's phases put on the host that would stop a later,
# different cluster from bootstrapping it or would keep it attached to this episode, and
# leave the machine itself running. Safe to run twice, on a host whose bootstrap stopped
# halfway, and on a host that was never bootstrapped. Prints nothing secret.
#
# The cluster's helpers come first (the renderer places them before this text): _lib.sh
# (log, die, write_file, SECRET_DIR), _api.sh (HOSTS_MARKER, drop_api_endpoint) and
# _kubeadm.sh (KLUSTERED_STATE, KLUSTERED_LOG_DIR), so the names are the phases' own.
# Inputs: WG_INTERFACE, WG_CONF_DIR, WG_CONF_MARK, MESH_CHAIN, FIREWALL_CHAIN,
# HAPROXY_CONFIG, HAPROXY_TITLE, TELEPORT_CONFIG, TELEPORT_TOKEN_FILE, TELEPORT_CA_PIN_FILE,
# TELEPORT_DATA_DIR, TELEPORT_UNIT_FILE.
#
# The host stays reachable over SSH throughout: nothing here adds a rule, touches sshd or
# changes a chain policy; a chain loses the jumps to it before it is flushed and deleted,
# and Cilium's programs leave the interfaces before the maps they call into are unpinned.
# Every part runs even when an earlier one failed; the script then fails naming them, and
# the next run (pulumi destroy again) finishes the job.
: "${WG_INTERFACE:?}" "${WG_CONF_DIR:?}" "${WG_CONF_MARK:?}" "${MESH_CHAIN:?}"
: "${FIREWALL_CHAIN:?}" "${HAPROXY_CONFIG:?}" "${HAPROXY_TITLE:?}" "${TELEPORT_CONFIG:?}"
: "${TELEPORT_TOKEN_FILE:?}" "${TELEPORT_CA_PIN_FILE:?}" "${TELEPORT_DATA_DIR:?}"
: "${TELEPORT_UNIT_FILE:?}"
: "${HOSTS_MARKER:?}" "${KLUSTERED_STATE:?}" "${KLUSTERED_LOG_DIR:?}" "${SECRET_DIR:?}"
KUBEADM_RESET_SECONDS=300
CILIUM_CHAINS='(OLD_)?CILIUM_[A-Za-z0-9_]+'
CILIUM_ROUTE_TABLES="2004 2005"
BPF_ROOTS="/sys/fs/bpf /run/cilium/bpffs"

# stop_unit UNIT: stopped and disabled, without touching it when it already is.
stop_unit() {
  if systemctl is-active --quiet "$1" 2>/dev/null; then
    systemctl stop "$1"
  fi
  if systemctl is-enabled --quiet "$1" 2>/dev/null; then
    systemctl disable --quiet "$1"
  fi
}

# clean_dir DIR: DIR emptied and kept (as kubeadm reset does); no mount below it is crossed.
clean_dir() {
  [ -d "$1" ] || return 0
  find "$1" -mindepth 1 -maxdepth 1 -exec rm -rf --one-file-system -- {} +
}

# unmount_below DIR: every mount under DIR unmounted, deepest first.
unmount_below() {
  local target
  while read -r target; do
    umount "$target" 2>/dev/null || umount -l "$target"
  done < <(findmnt -rn -o TARGET | awk -v dir="$1/" 'index($0, dir) == 1' | sort -r)
}

# drop_chains TOOL TABLE PATTERN: the chains of TABLE whose whole name matches the extended
# regular expression PATTERN go away: first every rule elsewhere that jumps to them (by rule
# number, highest first), then their rules, then the chains. Nothing else in TABLE changes.
drop_chains() {
  local tool="$1" table="$2" pattern="$3" all chain chains=() targets=() numbers n
  command -v "$tool" >/dev/null 2>&1 || return 0
  # No such table (a kernel without IPv6, or without the raw table): nothing to remove.
  all="$("$tool" -w -t "$table" -S 2>/dev/null | awk '$1 == "-P" || $1 == "-N" { print $2 }')" || return 0
  while read -r chain; do
    [ -n "$chain" ] || continue
    if [[ "$chain" =~ ^($pattern)$ ]]; then
      targets+=("$chain")
    else
      chains+=("$chain")
    fi
  done <<<"$all"
  [ "${#targets[@]}" -gt 0 ] || return 0
  for chain in "${chains[@]}"; do
    numbers="$("$tool" -w -t "$table" -n -L "$chain" --line-numbers |
      awk -v re="^($pattern)\$" 'NR > 2 && $2 ~ re { print $1 }' | sort -rn)"
    for n in $numbers; do
      "$tool" -w -t "$table" -D "$chain" "$n"
    done
  done
  for chain in "${targets[@]}"; do
    "$tool" -w -t "$table" -F "$chain"
  done
  for chain in "${targets[@]}"; do
    "$tool" -w -t "$table" -X "$chain"
  done
  log "$tool -t $table: removed ${targets[*]}"
}

# link_names: every network interface of the host, one per line.
link_names() {
  ip -o link show | awk -F': ' '{ split($2, name, "@"); print name[1] }'
}

# 1. Kubernetes: `kubeadm reset -f` (static pods, etcd's data, /etc/kubernetes, kubelet's
#    state; a control plane also leaves etcd), then the same by hand for whatever it left
#    (kubeadm missing, failed or timed out): kubelet stopped and disabled, pods removed, pod
#    volumes unmounted, the files whose presence makes init and join skip or fail removed.
reset_kubernetes() {
  local conf pods
  if command -v kubeadm >/dev/null 2>&1 && kubernetes_state_present; then
    if timeout "$KUBEADM_RESET_SECONDS" kubeadm reset -f --cleanup-tmp-dir >/dev/null 2>&1; then
      log "kubeadm reset done"
    else
      log "kubeadm reset failed or timed out: removing what it leaves by hand"
    fi
  fi
  stop_unit kubelet
  if command -v crictl >/dev/null 2>&1 && pods="$(crictl pods -q 2>/dev/null)" && [ -n "$pods" ]; then
    crictl rmp -f -a >/dev/null
    log "removed the node's pods"
  fi
  unmount_below /var/lib/kubelet
  for conf in admin super-admin kubelet bootstrap-kubelet controller-manager scheduler; do
    rm -f "/etc/kubernetes/$conf.conf"
  done
  clean_dir /etc/kubernetes/manifests
  clean_dir /etc/kubernetes/pki
  clean_dir /etc/kubernetes/tmp
  clean_dir /var/lib/etcd
  clean_dir /var/lib/kubelet
}

# kubernetes_state_present: something kubeadm reset would remove is still there.
kubernetes_state_present() {
  local dir
  for dir in /etc/kubernetes/manifests /etc/kubernetes/pki /var/lib/etcd /var/lib/kubelet; do
    if [ -n "$(find "$dir" -mindepth 1 -maxdepth 1 -print -quit 2>/dev/null)" ]; then
      return 0
    fi
  done
  compgen -G '/etc/kubernetes/*.conf' >/dev/null
}

# 2. Cilium (when it ran here): its interfaces, its programs on every interface (tcx links
#    pinned in bpffs, legacy tc filters) and then its pinned maps, its iptables chains in
#    every table (IPv4 and IPv6), its policy-routing rules, its cgroup mount and state
#    directories, its CNI binary and config (other configs it set aside come back). A new
#    cluster installs its own; a stale conflist would make kubelet report the network ready.
reset_cilium() {
  local link root tool table family rtable
  cilium_present || return 0
  for link in $(link_names); do
    case "$link" in
    cilium_* | lxc_health | lxc?????)
      if ip link show dev "$link" >/dev/null 2>&1; then
        ip link delete dev "$link"
      fi
      ;;
    esac
  done
  while read -r link _; do
    case "$link" in cilium-*) ip netns delete "$link" ;; esac
  done < <(ip netns list 2>/dev/null || true)
  for root in $BPF_ROOTS; do
    rm -rf --one-file-system "${root:?}/cilium"
  done
  drop_cilium_tc_filters
  if [ -n "$(cilium_tc_filters)" ]; then
    die "Cilium's tc programs are still attached: its maps stay pinned"
  fi
  for root in $BPF_ROOTS; do
    rm -f "$root"/tc/globals/cilium_*
  done
  for tool in iptables ip6tables; do
    for table in filter nat mangle raw; do
      drop_chains "$tool" "$table" "$CILIUM_CHAINS"
    done
  done
  for family in -4 -6; do
    for rtable in $CILIUM_ROUTE_TABLES; do
      while [ -n "$(ip "$family" rule list table "$rtable" 2>/dev/null)" ]; do
        ip "$family" rule delete table "$rtable"
      done
    done
  done
  unmount_below /run/cilium
  rm -rf --one-file-system /run/cilium /var/lib/cilium
  rm -f /opt/cni/bin/cilium-cni
  for link in /etc/cni/net.d/*.cilium_bak; do
    [ -e "$link" ] || continue
    mv -f "$link" "${link%.cilium_bak}"
  done
  # The CNI config last: it is how a re-run after a failure knows Cilium was here.
  rm -f /etc/cni/net.d/05-cilium.conflist /etc/cni/net.d/05-cilium.conf \
    /etc/cni/net.d/00-cilium-cni.conf /etc/cni/net.d/05-cilium-cni.conf \
    /etc/cni/net.d/10-cilium-cni.conf
  log "cilium's node state removed"
}

cilium_present() {
  compgen -G '/etc/cni/net.d/*cilium*' >/dev/null || [ -e /run/cilium ] ||
    [ -e /var/lib/cilium ] || [ -e /opt/cni/bin/cilium-cni ] ||
    ip link show dev cilium_host >/dev/null 2>&1
}

# cilium_tc_filters: "DEVICE DIRECTION PREF HANDLE" of every tc bpf filter Cilium attached
# (named after its programs: cil_*, bpf_host, bpf_netdev, ... as iproute2 shows them).
cilium_tc_filters() {
  local dev dir
  for dev in $(link_names); do
    for dir in ingress egress; do
      tc filter show dev "$dev" "$dir" 2>/dev/null |
        awk -v dev="$dev" -v dir="$dir" '
          / bpf / && / handle / && (/cil_/ || /cilium/ || /bpf_(netdev|network|host|lxc|overlay)/) {
            for (i = 1; i < NF; i++) {
              if ($i == "pref") pref = $(i + 1)
              if ($i == "handle") handle = $(i + 1)
            }
            print dev, dir, pref, handle
          }' || true
    done
  done
}

drop_cilium_tc_filters() {
  local dev dir pref handle
  while read -r dev dir pref handle; do
    [ -n "$dev" ] || continue
    tc filter delete dev "$dev" "$dir" pref "$pref" handle "$handle" bpf
    log "removed Cilium's tc program from $dev $dir"
  done <<<"$(cilium_tc_filters)"
}

# 3. The node-local API load balancer (phase 44): haproxy stopped and disabled, its config
#    removed. Only klustered's config counts: a host's own haproxy is left alone. The
#    package stays (like containerd and the Kubernetes packages); a later phase 44 writes
#    its config again and reuses it.
reset_api_lb() {
  local dir
  dir="$(dirname "$HAPROXY_CONFIG")"
  if [ -f "$HAPROXY_CONFIG" ] && grep -qF "$HAPROXY_TITLE" "$HAPROXY_CONFIG"; then
    stop_unit haproxy
    rm -f "$HAPROXY_CONFIG"
    log "haproxy stopped and disabled, $HAPROXY_CONFIG removed"
  fi
  rm -f -- "$HAPROXY_CONFIG".klustered.??????
  if [ -d "$dir" ]; then
    rmdir --ignore-fail-on-non-empty "$dir"
  fi
}

# 4. The API endpoint line of /etc/hosts (phase 45), through the helper that owns it.
reset_api_endpoint() {
  drop_api_endpoint
  rm -f -- /etc/hosts.klustered.??????
}

# 5. The WireGuard mesh: its chain and jumps (IPv4 and IPv6), and, when the interface's
#    config is the mesh's, wg-quick@ stopped and disabled, the interface and its config gone.
reset_mesh() {
  local conf="$WG_CONF_DIR/$WG_INTERFACE.conf" tool
  for tool in iptables ip6tables; do
    drop_chains "$tool" filter "$MESH_CHAIN"
  done
  rm -f -- "$WG_CONF_DIR/.$WG_INTERFACE.conf".??????
  if [ -f "$conf" ] && grep -qF "$WG_CONF_MARK" "$conf"; then
    stop_unit "wg-quick@$WG_INTERFACE"
    if ip link show dev "$WG_INTERFACE" >/dev/null 2>&1; then
      ip link delete dev "$WG_INTERFACE"
    fi
    rm -f "$conf"
    log "mesh interface $WG_INTERFACE and its config removed"
  fi
}

# 6. The host firewall of phase 43 (IPv4 and IPv6): jumps from INPUT first, then its chain.
reset_firewall() {
  local tool
  for tool in iptables ip6tables; do
    drop_chains "$tool" filter "$FIREWALL_CHAIN"
  done
}

# 7. The Teleport node agent, when its phase ran here (its token or CA pin file is the
#    sign): the service stopped and disabled, then its identity (data directory), config and
#    klustered's unit file, then the token and pins. The package and its apt source stay.
reset_teleport() {
  local unit dir
  if [ ! -e "$TELEPORT_TOKEN_FILE" ] && [ ! -e "$TELEPORT_CA_PIN_FILE" ]; then
    return 0
  fi
  unit="$(basename "$TELEPORT_UNIT_FILE" .service)"
  stop_unit "$unit"
  rm -rf --one-file-system "${TELEPORT_DATA_DIR:?}"
  rm -f -- "$TELEPORT_CONFIG" "$TELEPORT_CONFIG".klustered.??????
  if [ -e "$TELEPORT_UNIT_FILE" ]; then
    rm -f "$TELEPORT_UNIT_FILE"
    systemctl daemon-reload
  fi
  rm -f -- "$TELEPORT_TOKEN_FILE" "$TELEPORT_TOKEN_FILE".klustered.?????? \
    "$TELEPORT_CA_PIN_FILE" "$TELEPORT_CA_PIN_FILE".klustered.??????
  for dir in "$(dirname "$TELEPORT_TOKEN_FILE")" "$(dirname "$TELEPORT_CA_PIN_FILE")"; do
    if [ -d "$dir" ]; then
      rmdir --ignore-fail-on-non-empty "$dir"
    fi
  done
  log "teleport agent stopped; its identity, config and join token removed"
}

# 8. The phases' own state: stamps (and break state) under KLUSTERED_STATE, kubeadm's logs,
#    leftovers of a killed phase under SECRET_DIR.
reset_state() {
  rm -rf --one-file-system "${KLUSTERED_STATE:?}" "${KLUSTERED_LOG_DIR:?}" "${SECRET_DIR:?}"
}

failed=()
# part FUNCTION: run one part in a subshell that stops at its first failure; the others run
# anyway.
part() {
  local status
  set +e
  (
    set -e
    trap cleanup EXIT
    "$1"
  )
  status=$?
  set -e
  if [ "$status" != 0 ]; then
    failed+=("$1")
    log "reset: $1 did not finish (exit $status)"
  fi
}

# Kubernetes first: a control plane's kubeadm reset still reaches the API and etcd
# through the endpoint line, the load balancer and the mesh.
for step in reset_kubernetes reset_cilium reset_api_lb reset_api_endpoint reset_mesh \
  reset_firewall reset_teleport reset_state; do
  part "$step"
done
if [ "${#failed[@]}" -gt 0 ]; then
  die "reset incomplete (${failed[*]}): run it again"
fi
# Left in place: packages and their apt sources (containerd, kubelet/kubeadm/kubectl held,
# haproxy, wireguard-tools, teleport held), containerd's config and images, helm, swap off,
# the kernel modules and sysctls of phase 10, the host name. A later bootstrap reuses or
# replaces them.
log "reset done: the host can be bootstrapped again"
