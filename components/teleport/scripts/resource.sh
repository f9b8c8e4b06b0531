#!/usr/bin/env bash
# On the auth server: `apply` creates or replaces one resource with `tctl create -f`;
# `remove` deletes it (for a role, first the SSO users still holding it: Teleport refuses to
# delete a role in use). Both wait for the auth service. The document may hold a secret:
# it only ever touches a root-only file under /run, removed on exit.
# Inputs: RESOURCE_YAML, RESOURCE_REF (kind/name), READY_TIMEOUT; argument: apply | remove.
: "${RESOURCE_YAML:?}" "${RESOURCE_REF:?}" "${READY_TIMEOUT:?}"
action="${1:-apply}"

auth_answers() { tctl status >/dev/null 2>&1; }
poll "$READY_TIMEOUT" auth_answers || die "tctl cannot reach the auth service after ${READY_TIMEOUT}s"

exists() { tctl get "$RESOURCE_REF" >/dev/null 2>&1; }

users_with_role() {
  tctl get users --format=json | python3 -c '
import json, sys
role = sys.argv[1]
for user in json.load(sys.stdin) or []:
    if role in (user.get("spec") or {}).get("roles") or []:
        print(user["metadata"]["name"])
' "$1"
}

case "$action" in
apply)
  file=""
  secret_file file resource # the connector holds the client secret
  printf '%s\n' "${RESOURCE_YAML%$'\n'}" >"$file"
  tctl create -f "$file" >/dev/null
  log "applied $RESOURCE_REF"
  ;;
remove)
  if ! exists; then
    log "$RESOURCE_REF is already gone"
    exit 0
  fi
  if [ "${RESOURCE_REF%%/*}" = role ]; then
    while read -r user; do
      [ -n "$user" ] || continue
      tctl users rm "$user" >/dev/null
      log "removed user $user (held ${RESOURCE_REF#role/})"
    done < <(users_with_role "${RESOURCE_REF#role/}")
  fi
  tctl rm "$RESOURCE_REF" >/dev/null
  log "removed $RESOURCE_REF"
  ;;
*) die "unknown action $action (apply or remove)" ;;
esac
