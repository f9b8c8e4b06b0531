#!/usr/bin/env bash
# Sample a break's verify scripts until they are green (every one exits 0) or red (one
# fails) SAMPLES times in a row, within a time limit; a sample of the other colour starts
# the count again. Inputs: VERIFY_SCRIPTS_B64 (the rendered verify scripts, one base64
# string per line; each runs on stdin, never on a command line), EXPECT (green|red),
# BREAK_ID, WHEN (a few words for messages), WITHIN_SECONDS, INTERVAL_SECONDS, SAMPLES,
# SHOW_REASON (true: say why verify is not green, from the last line a verify printed;
# only before a break, where nothing can be spoiled). Exits 1 naming the break.
set -euo pipefail
: "${VERIFY_SCRIPTS_B64:?}" "${EXPECT:?}" "${BREAK_ID:?}" "${WHEN:?}"
: "${WITHIN_SECONDS:?}" "${INTERVAL_SECONDS:?}" "${SAMPLES:?}" "${SHOW_REASON:=false}"

mapfile -t encoded <<<"$VERIFY_SCRIPTS_B64"
reason=""

# sample: 0 when every verify exits 0; otherwise 1, with `reason` set.
sample() {
  local e out
  for e in "${encoded[@]}"; do
    [ -n "$e" ] || continue
    if ! out="$(base64 -d <<<"$e" | bash -s 2>&1)"; then
      reason="$(tail -n 1 <<<"$out")"
      return 1
    fi
  done
  return 0
}

deadline=$((SECONDS + WITHIN_SECONDS))
streak=0
while :; do
  if sample; then state=green; else state=red; fi
  if [ "$state" = "$EXPECT" ]; then
    streak=$((streak + 1))
  else
    streak=0
  fi
  if [ "$streak" -ge "$SAMPLES" ]; then
    echo "break $BREAK_ID: verify is $state $WHEN ($SAMPLES samples in a row), as expected"
    exit 0
  fi
  if [ "$streak" -eq 0 ] && [ "$SECONDS" -ge "$deadline" ]; then
    if [ "$EXPECT" = red ]; then
      echo "break $BREAK_ID did not bite: verify is still green ${WITHIN_SECONDS}s $WHEN" >&2
    elif [ "$SHOW_REASON" = true ] && [ -n "$reason" ]; then
      echo "break $BREAK_ID: verify is not green ${WITHIN_SECONDS}s $WHEN: $reason" >&2
    else
      echo "break $BREAK_ID: verify is not green ${WITHIN_SECONDS}s $WHEN" >&2
    fi
    exit 1
  fi
  sleep "$INTERVAL_SECONDS"
done
