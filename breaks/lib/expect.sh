#!/usr/bin/env bash
# Run a break's verify step until it is green or red as expected, within a time limit.
# Inputs: VERIFY_SCRIPT_B64 (the rendered verify step, base64; it runs on stdin, never on
# a command line), EXPECT (green|red), BREAK_ID, WHEN (a few words for messages),
# WITHIN_SECONDS, INTERVAL_SECONDS. Exits 1 naming the break when time runs out.
set -euo pipefail
: "${VERIFY_SCRIPT_B64:?}" "${EXPECT:?}" "${BREAK_ID:?}" "${WHEN:?}"
: "${WITHIN_SECONDS:?}" "${INTERVAL_SECONDS:?}"

verify="$(printf '%s' "$VERIFY_SCRIPT_B64" | base64 -d)"
deadline=$((SECONDS + WITHIN_SECONDS))
while :; do
  if bash <<<"$verify" >/dev/null 2>&1; then
    state=green
  else
    state=red
  fi
  if [ "$state" = "$EXPECT" ]; then
    echo "break $BREAK_ID: verify is $state $WHEN, as expected"
    exit 0
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    if [ "$EXPECT" = red ]; then
      echo "break $BREAK_ID did not bite: verify is still green ${WITHIN_SECONDS}s $WHEN" >&2
    else
      echo "break $BREAK_ID: verify is not green ${WITHIN_SECONDS}s $WHEN" >&2
    fi
    exit 1
  fi
  sleep "$INTERVAL_SECONDS"
done
