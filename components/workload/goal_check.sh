#!/usr/bin/env bash
# The episode's goal: the app answers on NODE_ADDRESS:NODE_PORT serving EXPECTED_VERSION,
# shows a seeded quote, and reports no database error. Exits 0 only then.
# Plain HTTP/1.0 over bash's /dev/tcp: no curl needed on the node.
# Inputs: NODE_ADDRESS, NODE_PORT, EXPECTED_VERSION, SEEDED_MARKERS (one per line),
# WAIT_SECONDS (0: a single attempt).
set -euo pipefail
: "${NODE_ADDRESS:?}" "${NODE_PORT:?}" "${EXPECTED_VERSION:?}" "${SEEDED_MARKERS:?}"
WAIT_SECONDS="${WAIT_SECONDS:-0}"

fetch() {
  # shellcheck disable=SC2016  # the inner script expands its own positional arguments
  timeout 10 bash -c '
    exec 3<>"/dev/tcp/$1/$2"
    printf "GET / HTTP/1.0\r\nHost: %s\r\nUser-Agent: klustered-goal-check\r\n\r\n" "$1" >&3
    cat <&3
  ' fetch "$NODE_ADDRESS" "$NODE_PORT"
}

# check: prints why the goal is not met and returns 1, or returns 0.
check() {
  local response status
  if ! response="$(fetch 2>/dev/null)"; then
    echo "no answer from ${NODE_ADDRESS}:${NODE_PORT}"
    return 1
  fi
  status="$(head -n 1 <<<"$response" | tr -d '\r')"
  if ! grep -Eq '^HTTP/1\.[01] 200( |$)' <<<"$status"; then
    echo "unexpected status: ${status}"
    return 1
  fi
  if grep -Eqi 'Failed to (connect|query)|database error|error connecting' <<<"$response"; then
    echo "the app cannot use its database"
    return 1
  fi
  if ! grep -Eq "<title>[[:space:]]*${EXPECTED_VERSION}[[:space:]]*\|" <<<"$response"; then
    echo "the app is not serving ${EXPECTED_VERSION}"
    return 1
  fi
  if ! grep -Fqf <(printf '%s\n' "$SEEDED_MARKERS") <<<"$response"; then
    echo "the app shows no seeded quote"
    return 1
  fi
  return 0
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
