#!/usr/bin/env bash
# Library: what the host and the fixers need from a node, one fact per line. The access
# guard records it before a break step and compares after; the host's check does too.

# access_state: print the access facts that hold now (sorted, one per line).
# shellcheck disable=SC2329 # a library: the guard and the check call it
access_state() {
  {
    if systemctl is-active --quiet ssh.service || systemctl is-active --quiet ssh.socket \
      || systemctl is-active --quiet sshd.service; then
      echo "the ssh service is active"
    fi
    if systemctl cat teleport.service >/dev/null 2>&1 && systemctl is-active --quiet teleport.service; then
      echo "the teleport service is active"
    fi
    if command -v ss >/dev/null 2>&1 && ss -Hltn 'sport = :22' 2>/dev/null | grep -q .; then
      echo "port 22 is listening"
    fi
    if command -v ip >/dev/null 2>&1 && ip route show default 2>/dev/null | grep -q .; then
      echo "a default route exists"
    fi
  } | sort
}

# access_lost BEFORE AFTER: the facts of BEFORE missing from AFTER, comma-separated.
# shellcheck disable=SC2329 # a library: the guard and the check call it
access_lost() {
  comm -23 <(printf '%s\n' "$1" | sed '/^$/d') <(printf '%s\n' "$2" | sed '/^$/d') | paste -sd, -
}

# guard_disarm ID: stop the guard's timer and remove its directory (the solve inside).
# shellcheck disable=SC2329 # a library: the guard and the check call it
guard_disarm() {
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    systemctl stop "klustered-guard-$1.timer" >/dev/null 2>&1 || true
    systemctl reset-failed "klustered-guard-$1.service" "klustered-guard-$1.timer" >/dev/null 2>&1 || true
  fi
  rm -rf "${KLUSTERED_GUARD_DIR:-/var/lib/klustered/guard}/$1"
}
