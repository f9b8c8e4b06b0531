#!/usr/bin/env bash
# Snapshot etcd (kept in this break's state directory for solve.sh), then add a member
# that will never start: a one-member cluster then needs two for quorum. Refuses on a
# cluster of several members (there it would not bite, and a restore would split it).
set -euo pipefail
kl_etcdctl_env
state="$(kl_state)"
if [ -e "$state/member-added" ]; then
  exit 0
fi
members="$(kl_etcd_members)"
count="$(grep -c . <<<"$members")"
if [ "$count" -ne 1 ]; then
  kl_fail "etcd-bogus-member breaks a one-member etcd only; this one has $count members"
fi
if [ ! -s "$state/snapshot.db" ]; then
  etcdctl snapshot save "$state/snapshot.db.part" >/dev/null
  mv "$state/snapshot.db.part" "$state/snapshot.db"
fi
etcdctl member add etcd-1 --peer-urls="$KLUSTERED_PARAM_PEER_URL" >/dev/null
touch "$state/member-added"
