#!/usr/bin/env bash
# Phase 70 on control-plane-1: wait (bounded) until the API answers /readyz and every node
# the stack expects is Ready. Nodes the stack no longer has are not waited for. With no
# workers, the control planes lose their NoSchedule taint so the app can run on them.
# Inputs: EXPECTED_NODES (space-separated node names), CONTROL_PLANES (their names),
# UNTAINT_CONTROL_PLANES (1 or 0), READY_TIMEOUT_SECONDS.
: "${EXPECTED_NODES:?}" "${CONTROL_PLANES:?}" "${UNTAINT_CONTROL_PLANES:?}" "${READY_TIMEOUT_SECONDS:?}"
export KUBECONFIG=/etc/kubernetes/admin.conf
deadline=$(($(date +%s) + READY_TIMEOUT_SECONDS))
taint="node-role.kubernetes.io/control-plane"

wait_for() {
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      die "timed out after ${READY_TIMEOUT_SECONDS}s waiting for: $*"
    fi
    sleep 5
  done
}

api_ready() {
  [ "$(kubectl get --raw /readyz)" = "ok" ]
}

node_ready() {
  [ "$(kubectl get node "$1" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = True ]
}

wait_for api_ready
for node in $EXPECTED_NODES; do
  wait_for node_ready "$node"
done

if [ "$UNTAINT_CONTROL_PLANES" = 1 ]; then
  for node in $CONTROL_PLANES; do
    if kubectl get node "$node" -o jsonpath='{.spec.taints[*].key}' | tr ' ' '\n' | grep -x "$taint" >/dev/null; then
      kubectl taint node "$node" "$taint:NoSchedule-" >/dev/null
      log "$node: control-plane taint removed (no workers)"
    fi
  done
fi
log "API ready and all $(wc -w <<<"$EXPECTED_NODES") expected nodes Ready"
