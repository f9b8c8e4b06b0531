#!/usr/bin/env bash
# Recorder stub for the Teleport scripts: log argv, then simulate just enough of apt,
# systemd, the Teleport agent's join and the auth server's tctl.
set -euo pipefail
cmd="$(basename "$0")"
S=/state
printf '%s\n' "$cmd $*" >>"$S/calls.log"
identity=/var/lib/teleport/identity
case "$cmd" in
apt-get)
  if [[ " $* " == *" install "* ]]; then
    mkdir -p "$S/dpkg"
    for arg in "$@"; do
      case "$arg" in -* | install | DPkg::*) continue ;; esac
      name="${arg%%=*}"
      if [ "$name" != "$arg" ]; then echo "${arg#*=}" >"$S/dpkg/$name"; else echo "1.0" >"$S/dpkg/$name"; fi
    done
  fi ;;
dpkg-query)
  fmt="" pkg=""
  for arg in "$@"; do case "$arg" in -f=*) fmt="${arg#-f=}" ;; -W) ;; *) pkg="$arg" ;; esac; done
  [ -f "$S/dpkg/$pkg" ] || exit 1
  case "$fmt" in
  *Status*) printf 'install ok installed' ;;
  *Version*) printf '%s' "$(cat "$S/dpkg/$pkg")" ;;
  esac ;;
apt-mark) [ "$1" = hold ] ;;
systemctl)
  unit="${*: -1}"
  mkdir -p "$S/systemd"
  case "$1" in
  is-enabled) [ -f "$S/systemd/$unit.enabled" ] ;;
  is-active) [ -f "$S/systemd/$unit.active" ] ;;
  enable) touch "$S/systemd/$unit.enabled" ;;
  stop) rm -f "$S/systemd/$unit.active" ;;
  start | restart)
    touch "$S/systemd/$unit.active"
    # An agent joins when it has no identity yet and holds a token the cluster accepts.
    if [ -f /etc/teleport/join-token ] && [ ! -f "$identity" ] &&
      [ "$(cat /etc/teleport/join-token)" = "$(cat "$S/valid-token" 2>/dev/null)" ]; then
      mkdir -p /var/lib/teleport
      cat /etc/teleport/ca-pins >"$identity"
    fi
    # The auth server answers once it runs.
    if [ -f /etc/teleport.yaml ] && awk '/^auth_service:/ { a = 1; next } /^[^ ]/ { a = 0 }
      a && /enabled: true/ { f = 1 } END { exit !f }' /etc/teleport.yaml; then
      touch "$S/auth-up"
    fi ;;
  daemon-reload) ;;
  *) exit 1 ;;
  esac ;;
curl)
  url="${*: -1}"
  case "$url" in
  */readyz)
    [ -f "$S/systemd/teleport.active" ] && { [ -f "$identity" ] || [ -f "$S/auth-up" ]; } ;;
  */gpg)
    out=""
    prev=""
    for arg in "$@"; do [ "$prev" = -o ] && out="$arg"; prev="$arg"; done
    echo "-----BEGIN PGP PUBLIC KEY BLOCK-----" >"$out" ;;
  *) echo "curl stub: unexpected $url" >&2; exit 22 ;;
  esac ;;
tctl)
  [ -f "$S/auth-up" ] || { echo "tctl: auth unreachable" >&2; exit 1; }
  mkdir -p "$S/resources"
  case "$1 ${2:-}" in
  "status ")
    printf 'Cluster  klustered-ep42\nVersion  18.8.2\n'
    while read -r pin; do printf 'CA pin   %s\n' "$pin"; done <"$S/pins" ;;
  "tokens add") cat "$S/valid-token" ;;
  "create -f")
    kind="$(awk '/^kind:/ { print $2; exit }' "$3")"
    name="$(awk '/^  name:/ { print $2; exit }' "$3")"
    cp "$3" "$S/resources/$kind-$name" ;;
  "get users") cat "$S/users.json" 2>/dev/null || echo '[]' ;;
  "users rm")
    python3 - "$3" "$S/users.json" <<'PY'
import json, pathlib, sys
path = pathlib.Path(sys.argv[2])
users = [u for u in json.loads(path.read_text()) if u["metadata"]["name"] != sys.argv[1]]
path.write_text(json.dumps(users))
PY
    ;;
  "get "*) [ -f "$S/resources/${2/\//-}" ] ;;
  "rm "*)
    [ -f "$S/resources/${2/\//-}" ] || { echo "not found" >&2; exit 1; }
    ref="${2#role/}"
    if [ "$ref" != "$2" ] && grep -q "\"$ref\"" "$S/users.json" 2>/dev/null; then
      echo "failed to delete a role that is still in use by a user" >&2; exit 1
    fi
    rm -f "$S/resources/${2/\//-}" ;;
  *) echo "tctl stub: unexpected $*" >&2; exit 1 ;;
  esac ;;
*) echo "recorder: unexpected command $cmd" >&2; exit 127 ;;
esac
