#!/usr/bin/env bash
# Leave step, run on a surviving control plane (the "keeper") when a node is removed from
# the stack or its machine is replaced: drain the node, delete its Node object and, for a
# control plane, remove its etcd member (matched by name or peer URL) so quorum counts
# only members that exist. Runs as pulumi-command's delete: no secret is needed or printed.
# An unreachable API skips the drain and delete (a stale Node object is harmless: the
# readiness gate waits for expected nodes only); an etcd member that cannot be removed
# fails the step (a dead member would count against quorum).
# Inputs: NODE_NAME, NODE_ADDRESS (its cluster address), CONTROL_PLANE (1 or 0),
# DRAIN_TIMEOUT_SECONDS.
: "${NODE_NAME:?}" "${NODE_ADDRESS:?}" "${CONTROL_PLANE:?}" "${DRAIN_TIMEOUT_SECONDS:?}"
export KUBECONFIG=/etc/kubernetes/admin.conf
if [ ! -s "$KUBECONFIG" ]; then
  log "no $KUBECONFIG on this node: nothing to clean up for $NODE_NAME"
  exit 0
fi

if ! kubectl get --raw /readyz --request-timeout=10s >/dev/null 2>&1; then
  log "API not reachable: $NODE_NAME is not drained or deleted"
elif kubectl get node "$NODE_NAME" -o name --request-timeout=10s >/dev/null 2>&1; then
  if ! kubectl drain "$NODE_NAME" --ignore-daemonsets --delete-emptydir-data --force \
    --timeout="${DRAIN_TIMEOUT_SECONDS}s" >/dev/null 2>&1; then
    log "$NODE_NAME: drain did not finish in ${DRAIN_TIMEOUT_SECONDS}s; deleting it anyway"
  fi
  if kubectl delete node "$NODE_NAME" --ignore-not-found --wait=false >/dev/null; then
    log "$NODE_NAME: drained and deleted"
  else
    log "$NODE_NAME: could not delete the Node object"
  fi
else
  log "$NODE_NAME: no such node"
fi

if [ "$CONTROL_PLANE" != 1 ]; then
  exit 0
fi

# etcdctl from this node's own etcd container (kubeadm nodes have no etcdctl on the host).
etcd_container="$(crictl ps --name '^etcd$' --state running -q 2>/dev/null | head -n 1 || true)"
[ -n "$etcd_container" ] || die "no running etcd on this node: remove $NODE_NAME's etcd member by hand"
etcdctl() {
  crictl exec "$etcd_container" etcdctl --endpoints=https://127.0.0.1:2379 \
    --cacert=/etc/kubernetes/pki/etcd/ca.crt \
    --cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt \
    --key=/etc/kubernetes/pki/etcd/healthcheck-client.key "$@"
}
members="$(etcdctl member list -w simple)" || die "cannot list etcd members"
member_id="$(awk -F', ' -v name="$NODE_NAME" -v peer="https://$NODE_ADDRESS:2380" \
  '$3 == name || $4 == peer { print $1; exit }' <<<"$members")"
if [ -z "$member_id" ]; then
  log "$NODE_NAME: no etcd member"
  exit 0
fi
# etcd refuses a removal that would leave too few healthy members ("unhealthy cluster"),
# also for a few seconds after a member (re)started: try a few times before giving up.
retry 3 etcdctl member remove "$member_id" >/dev/null ||
  die "cannot remove etcd member $member_id ($NODE_NAME): is quorum lost?"
log "$NODE_NAME: etcd member $member_id removed"
