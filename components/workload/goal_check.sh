#!/usr/bin/env bash
# The episode's goal, as fixers experience it, judged on control-plane-1 with the admin
# kubeconfig. Green (exit 0) only when all of these hold:
# - the API answers /readyz and a write succeeds (a 4 KiB ConfigMap created, then deleted);
# - Deployment DEPLOYMENT in NAMESPACE exists, its container CONTAINER runs EXPECTED_IMAGE,
#   every replica is updated, ready and available, and nothing older is left;
# - every endpoint of Service SERVICE is a pod of that Deployment running that image;
# - the page from every ready endpoint, and from NODE_ADDRESS:NODE_PORT, says
#   EXPECTED_VERSION in its title, shows a seeded quote and no database error.
# Inputs: NODE_ADDRESS, NODE_PORT, EXPECTED_VERSION, EXPECTED_IMAGE, NAMESPACE, DEPLOYMENT,
# CONTAINER, SERVICE, SEEDED_MARKERS (one per line), GOAL_EVAL (the python3 judge),
# WAIT_SECONDS (0: a single attempt), CHECK_API (false: the page only).
# Plain HTTP/1.0 over bash's /dev/tcp: no curl needed on the node.
set -euo pipefail
: "${NODE_ADDRESS:?}" "${NODE_PORT:?}" "${EXPECTED_VERSION:?}" "${SEEDED_MARKERS:?}"
: "${EXPECTED_IMAGE:=}" "${NAMESPACE:=default}" "${DEPLOYMENT:=klustered}"
: "${CONTAINER:=klustered}" "${SERVICE:=klustered}" "${GOAL_EVAL:=}" "${CHECK_API:=true}"
WAIT_SECONDS="${WAIT_SECONDS:-0}"
export KUBECONFIG="${KUBECONFIG:-/etc/kubernetes/admin.conf}"

k() {
  kubectl --request-timeout=10s "$@"
}

fetch() {
  # shellcheck disable=SC2016  # the inner script expands its own positional arguments
  timeout 10 bash -c '
    exec 3<>"/dev/tcp/$1/$2"
    printf "GET / HTTP/1.0\r\nHost: %s\r\nUser-Agent: klustered-goal-check\r\n\r\n" "$1" >&3
    cat <&3
  ' fetch "$1" "$2"
}

# page HOST PORT: prints why the page at HOST:PORT is not the goal and returns 1.
page() {
  local response status
  if ! response="$(fetch "$1" "$2" 2>/dev/null)"; then
    echo "no answer from $1:$2"
    return 1
  fi
  status="$(head -n 1 <<<"$response" | tr -d '\r')"
  if ! grep -Eq '^HTTP/1\.[01] 200( |$)' <<<"$status"; then
    echo "$1:$2 answered ${status:-nothing}"
    return 1
  fi
  if grep -Eqi 'Failed to (connect|query)|database error|error connecting' <<<"$response"; then
    echo "the app on $1:$2 cannot use its database"
    return 1
  fi
  if ! grep -Eq "<title>[[:space:]]*${EXPECTED_VERSION}[[:space:]]*\|" <<<"$response"; then
    echo "the app on $1:$2 is not serving ${EXPECTED_VERSION}"
    return 1
  fi
  if ! grep -Fqf <(printf '%s\n' "$SEEDED_MARKERS") <<<"$response"; then
    echo "the app on $1:$2 shows no seeded quote"
    return 1
  fi
}

# api: prints why the API or the Deployment is not the goal and returns 1; otherwise
# prints the ready endpoints, one "ADDRESS PORT" per line.
api() {
  local ready name state
  if ! ready="$(k get --raw /readyz 2>/dev/null)" || [ "$ready" != ok ]; then
    echo "the API server is not ready"
    return 1
  fi
  name="klustered-goal-check-$(date +%s)-$$"
  if ! k -n "$NAMESPACE" create -f - >/dev/null 2>&1 <<EOF; then
{"apiVersion": "v1", "kind": "ConfigMap",
 "metadata": {"name": "$name", "labels": {"klustered.dev/goal-check": "true"}},
 "data": {"payload": "$(printf '%04096d' 0)"}}
EOF
    echo "the API refuses writes"
    return 1
  fi
  k -n "$NAMESPACE" delete configmap "$name" --wait=false >/dev/null 2>&1 || true
  if ! state="$(
    printf '{"deployment": '
    k -n "$NAMESPACE" get deployment "$DEPLOYMENT" -o json 2>/dev/null || printf '{}'
    printf ', "replicasets": '
    k -n "$NAMESPACE" get replicasets -o json
    printf ', "pods": '
    k -n "$NAMESPACE" get pods -o json
    printf ', "slices": '
    k -n "$NAMESPACE" get endpointslices -l "kubernetes.io/service-name=$SERVICE" -o json
    printf '}'
  )"; then
    echo "the API does not list the app's objects"
    return 1
  fi
  python3 -c "$GOAL_EVAL" "$EXPECTED_IMAGE" "$CONTAINER" <<<"$state"
}

# check: prints why the goal is not met and returns 1, or returns 0.
check() {
  local found address port
  if [ "$CHECK_API" = true ]; then
    found="$(api)" || {
      printf '%s\n' "$found" | tail -n 1
      return 1
    }
    while read -r address port; do
      [ -n "$address" ] || continue
      page "$address" "$port" || return 1
    done <<<"$found"
  fi
  page "$NODE_ADDRESS" "$NODE_PORT"
}

deadline=$(($(date +%s) + WAIT_SECONDS))
while true; do
  if reason="$(check)"; then
    echo "goal met: ${EXPECTED_VERSION} with a seeded quote on ${NODE_ADDRESS}:${NODE_PORT}"
    exit 0
  fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "goal not met: ${reason}" >&2
    exit 1
  fi
  sleep 3
done
