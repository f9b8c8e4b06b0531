#!/usr/bin/env bash
# On the auth server: a short-lived node join token and the cluster's CA pins.
# Stdout is exactly: the token on line 1, then one CA pin per line. Nothing else is printed
# there; the caller keeps stdout secret. Inputs: TOKEN_TTL (e.g. 30m), READY_TIMEOUT.
: "${TOKEN_TTL:?}" "${READY_TIMEOUT:?}"

auth_answers() { tctl status >/dev/null 2>&1; }
poll "$READY_TIMEOUT" auth_answers || die "tctl cannot reach the auth service after ${READY_TIMEOUT}s"

token="$(tctl tokens add --type=node --ttl="$TOKEN_TTL" --format=text)"
[[ "$token" =~ ^[A-Za-z0-9]+$ ]] || die "tctl printed no token"
pins="$(tctl status | awk '$1 == "CA" && $2 == "pin" { print $3 }')"
[ -n "$pins" ] || die "tctl status printed no CA pin"
printf '%s\n%s\n' "$token" "$pins"
