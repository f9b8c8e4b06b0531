#!/usr/bin/env bash
# Phase 43 on every node: the host firewall of the public interface. Inbound traffic on it
# is dropped unless it is a reply (conntrack), ICMP, DHCP, a listed TCP/UDP port, or comes
# from a trusted source (the teammates' cluster addresses when they travel the underlay).
# Loopback, the mesh interface and pod traffic are other interfaces: never touched.
# The rules live in a chain of our own, flushed and refilled atomically on every run and
# jumped to from INPUT for the public interface only. The mesh phase's chain
# (KLUSTERED-MESH) is independent: whichever runs first, both hold.
# Inputs: FIREWALL_CHAIN, PUBLIC_INTERFACE (empty: the default route's interface),
# TCP_PORTS (comma list, ranges as a:b), UDP_PORTS (comma list, may be empty),
# TRUSTED_SOURCES (space-separated IPv4 addresses, may be empty).
: "${FIREWALL_CHAIN:?}" "${TCP_PORTS:?}"
PUBLIC_INTERFACE="${PUBLIC_INTERFACE:-}"
UDP_PORTS="${UDP_PORTS:-}"
TRUSTED_SOURCES="${TRUSTED_SOURCES:-}"

if ! command -v iptables-restore >/dev/null 2>&1; then
  apt_install iptables
fi

if [ -z "$PUBLIC_INTERFACE" ]; then
  PUBLIC_INTERFACE="$(ip -o route show default | awk '{for (i = 1; i < NF; i++) if ($i == "dev") {print $(i + 1); exit}}')"
fi
[ -n "$PUBLIC_INTERFACE" ] || die "no default route: set the public interface"

# rules FAMILY: the chain in iptables-restore format for iptables (4) or ip6tables (6).
rules() {
  local family="$1" source
  printf '%s\n' '*filter' ":$FIREWALL_CHAIN - [0:0]"
  printf '%s\n' "-A $FIREWALL_CHAIN -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"
  if [ "$family" = 4 ]; then
    printf '%s\n' "-A $FIREWALL_CHAIN -p icmp -j ACCEPT"
    printf '%s\n' "-A $FIREWALL_CHAIN -p udp --sport 67 --dport 68 -j ACCEPT"
    for source in $TRUSTED_SOURCES; do
      printf '%s\n' "-A $FIREWALL_CHAIN -s $source/32 -j ACCEPT"
    done
  else
    printf '%s\n' "-A $FIREWALL_CHAIN -p ipv6-icmp -j ACCEPT"
    printf '%s\n' "-A $FIREWALL_CHAIN -p udp --sport 547 --dport 546 -j ACCEPT"
  fi
  printf '%s\n' "-A $FIREWALL_CHAIN -p tcp -m multiport --dports $TCP_PORTS -j ACCEPT"
  if [ -n "$UDP_PORTS" ]; then
    printf '%s\n' "-A $FIREWALL_CHAIN -p udp -m multiport --dports $UDP_PORTS -j ACCEPT"
  fi
  printf '%s\n' "-A $FIREWALL_CHAIN -j DROP" 'COMMIT'
}

for family in 4 6; do
  tool=iptables
  [ "$family" = 6 ] && tool=ip6tables
  if ! command -v "$tool-restore" >/dev/null 2>&1; then
    continue
  fi
  rules "$family" | "$tool-restore" -w --noflush
  # Jumps to the chain for an interface that is no longer the public one go away.
  while read -r rule; do
    [ "$rule" = "-A INPUT -i $PUBLIC_INTERFACE -j $FIREWALL_CHAIN" ] && continue
    read -ra words <<<"${rule#-A }"
    "$tool" -w -D "${words[@]}"
  done < <("$tool" -w -S INPUT | grep -- "-j $FIREWALL_CHAIN\$" || true)
  if ! "$tool" -w -C INPUT -i "$PUBLIC_INTERFACE" -j "$FIREWALL_CHAIN" 2>/dev/null; then
    "$tool" -w -A INPUT -i "$PUBLIC_INTERFACE" -j "$FIREWALL_CHAIN"
  fi
done
log "firewall on $PUBLIC_INTERFACE: tcp $TCP_PORTS${UDP_PORTS:+, udp $UDP_PORTS}"
