#!/usr/bin/env bash
# Run one break step under an access guard. Before the step: record the node's access
# facts, store the rendered solve in a root-only directory and arm a timer that runs it
# after GUARD_SECONDS. The step's output goes to a root-only log (no spoilers in Pulumi's
# error messages). After the step: if an access fact was lost, run the solve at once and
# fail; otherwise leave the guard armed until the host's check (a new SSH connection)
# disarms it. If the host never gets back in, the timer solves the break.
# Inputs: GUARD_ID, GUARD_SECONDS, STEP_NAME, STEP_B64 (the rendered step), SOLVE_B64.
set -uo pipefail
: "${GUARD_ID:?}" "${GUARD_SECONDS:?}" "${STEP_NAME:?}" "${STEP_B64:?}" "${SOLVE_B64:?}"
umask 077
guards="${KLUSTERED_GUARD_DIR:-/var/lib/klustered/guard}"
logs="${KLUSTERED_STATE_DIR:-/var/lib/klustered/breaks}"
dir="$guards/$GUARD_ID"
log="$logs/$GUARD_ID.log"
mkdir -p "$dir" "$logs"
chmod 700 "$guards" "$dir" "$logs"

before="$(access_state)"
printf '%s\n' "$before" >"$dir/before"
printf '%s' "$SOLVE_B64" | base64 -d >"$dir/solve.sh"
cat >"$dir/fire.sh" <<FIRE
#!/usr/bin/env bash
# The access guard of break $GUARD_ID: run its solve once, then leave a mark for the host.
dir='$dir'
mv "\$dir/solve.sh" "\$dir/solving.sh" 2>/dev/null || exit 0
bash "\$dir/solving.sh" >>'$log' 2>&1
rm -f "\$dir/solving.sh"
date +%s >"\$dir/fired"
FIRE

if [ -d /run/systemd/system ] && command -v systemd-run >/dev/null 2>&1; then
  # A timer left by an earlier run of this step goes first (transient unit names are unique).
  systemctl stop "klustered-guard-$GUARD_ID.timer" >/dev/null 2>&1 || true
  systemctl reset-failed "klustered-guard-$GUARD_ID.service" "klustered-guard-$GUARD_ID.timer" \
    >/dev/null 2>&1 || true
  systemd-run --quiet --unit "klustered-guard-$GUARD_ID" --on-active="${GUARD_SECONDS}s" \
    /bin/bash "$dir/fire.sh" >/dev/null 2>&1
else
  # No systemd (a container): a detached sleeper does the timer's job.
  # shellcheck disable=SC2016 # the inner script expands its own positional args
  setsid bash -c 'sleep "$1"; bash "$2"' klustered-guard "$GUARD_SECONDS" "$dir/fire.sh" \
    </dev/null >/dev/null 2>&1 &
fi

printf '%s' "$STEP_B64" | base64 -d >"$dir/step.sh"
bash "$dir/step.sh" </dev/null >>"$log" 2>&1
rc=$?
rm -f "$dir/step.sh"

after="$(access_state)"
lost="$(access_lost "$before" "$after")"
if [ -n "$lost" ]; then
  bash "$dir/fire.sh"
  guard_disarm "$GUARD_ID"
  echo "break $GUARD_ID cut the access path in $STEP_NAME (lost: $lost): solved at once" >&2
  exit 1
fi
if [ "$rc" -ne 0 ]; then
  echo "break $GUARD_ID: $STEP_NAME failed (exit $rc); its output is in $log on $(hostname)" >&2
  exit "$rc"
fi
echo "break $GUARD_ID: $STEP_NAME done; access guard armed for ${GUARD_SECONDS}s"
