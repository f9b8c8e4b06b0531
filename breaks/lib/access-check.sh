#!/usr/bin/env bash
# The host's access check after a break step or a solve: this script arriving over a new
# SSH connection is the proof that SSH still reaches the node. It fails when the node lost
# an access fact it had before the step, or when the guard had to solve the break because
# the host could not get back in; otherwise it disarms the guard.
# Inputs: GUARD_ID, WHEN (a few words for messages).
set -uo pipefail
: "${GUARD_ID:?}" "${WHEN:?}"
dir="${KLUSTERED_GUARD_DIR:-/var/lib/klustered/guard}/$GUARD_ID"

if [ -f "$dir/fired" ]; then
  guard_disarm "$GUARD_ID"
  echo "break $GUARD_ID cut the host's access $WHEN: the guard ran its solve" >&2
  exit 1
fi
if [ -f "$dir/before" ]; then
  lost="$(access_lost "$(cat "$dir/before")" "$(access_state)")"
  if [ -n "$lost" ]; then
    bash "$dir/fire.sh"
    guard_disarm "$GUARD_ID"
    echo "break $GUARD_ID cut the access path $WHEN (lost: $lost): solved at once" >&2
    exit 1
  fi
fi
guard_disarm "$GUARD_ID"
echo "break $GUARD_ID: SSH reaches $(hostname) $WHEN"
