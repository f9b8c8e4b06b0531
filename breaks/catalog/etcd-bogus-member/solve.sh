#!/usr/bin/env bash
# While the bogus member is still listed (quorum lost: nothing was written since the
# snapshot), restore etcd from the snapshot the break took: stop the static pod, restore
# into a fresh data dir with the member's own name and peer URL, start it again. Once
# fixers removed the member, or restored etcd themselves, their work stands: no restore.
set -euo pipefail
kl_etcdctl_env
state="$(kl_state)"
manifest=/etc/kubernetes/manifests/etcd.yaml
if [ ! -e "$state/member-added" ]; then
  exit 0
fi
if [ -e "$manifest" ]; then
  members="$(kl_etcd_members)" || kl_fail "etcd does not answer; nothing restored"
  if ! grep -qF -- "$KLUSTERED_PARAM_PEER_URL" <<<"$members"; then
    rm -f "$state/snapshot.db" "$state/member-added"
    exit 0
  fi
  mv "$manifest" "$state/etcd.yaml"
fi
[ -e "$state/etcd.yaml" ] || kl_fail "etcd.yaml is not in place; nothing restored"
flag() { sed -n "s#^ *- --$1=##p" "$state/etcd.yaml"; }
etcd_down() {
  local hostport="${ETCDCTL_ENDPOINTS#*://}"
  hostport="${hostport%%,*}"
  ! timeout 2 bash -c "exec 3<>/dev/tcp/${hostport%:*}/${hostport##*:}" 2>/dev/null
}
kb_wait 120 etcd_down
name="$(flag name)"
peer="$(flag initial-advertise-peer-urls)"
data="$(flag data-dir)"
if [ -d "$data" ]; then
  rm -rf "$data.broken"
  mv "$data" "$data.broken"
fi
if command -v etcdutl >/dev/null 2>&1; then
  restore=(etcdutl snapshot restore)
else
  restore=(etcdctl snapshot restore)
fi
"${restore[@]}" "$state/snapshot.db" --name "$name" --initial-cluster "$name=$peer" \
  --initial-advertise-peer-urls "$peer" --data-dir "$data" >/dev/null 2>&1
mv "$state/etcd.yaml" "$manifest"
kb_wait 180 etcdctl endpoint health
rm -rf "$data.broken" "$state/snapshot.db" "$state/member-added"
