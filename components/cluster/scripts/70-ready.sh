#!/usr/bin/env bash
# Phase 70 on control-plane-1: wait (bounded) until the API answers /readyz and every node,
# at least EXPECTED_NODES of them, is Ready. Reads only.
# Inputs: EXPECTED_NODES, READY_TIMEOUT_SECONDS.
: "${EXPECTED_NODES:?}" "${READY_TIMEOUT_SECONDS:?}"
export KUBECONFIG=/etc/kubernetes/admin.conf
deadline=$(($(date +%s) + READY_TIMEOUT_SECONDS))

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

all_nodes_ready() {
  local statuses total ready
  statuses="$(kubectl get nodes -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}')"
  total="$(grep -c . <<<"$statuses" || true)"
  ready="$(grep -cx True <<<"$statuses" || true)"
  [ "$total" -ge "$EXPECTED_NODES" ] && [ "$ready" = "$total" ]
}

wait_for api_ready
wait_for all_nodes_ready
log "API ready and all $EXPECTED_NODES nodes Ready"
