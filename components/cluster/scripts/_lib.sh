#!/usr/bin/env bash
# Helpers shared by every bootstrap phase; the renderer places this text before each phase.
set -euo pipefail
umask 022

# Files holding secrets live only under this root-only directory on /run (tmpfs: gone at
# reboot) and are removed when the phase exits; a phase killed outright (SIGKILL, lost SSH)
# leaves them there, and its next run removes them before doing anything else.
SECRET_DIR=/run/klustered
CLEANUP=()
cleanup() {
  if [ "${#CLEANUP[@]}" -gt 0 ]; then
    rm -rf -- "${CLEANUP[@]}"
  fi
}
trap cleanup EXIT

log() {
  echo "[klustered] $*" >&2
}

die() {
  log "error: $*"
  exit 1
}

# retry ATTEMPTS CMD...: run CMD until it succeeds, backing off 2s, 4s, 8s, ...
retry() {
  local attempts="$1" delay=2 n=1
  shift
  until "$@"; do
    if [ "$n" -ge "$attempts" ]; then
      log "giving up after $n attempts: $1"
      return 1
    fi
    sleep "$delay"
    n=$((n + 1))
    delay=$((delay * 2))
  done
}

# write_file PATH MODE CONTENT: make PATH hold CONTENT (plus one final newline) with MODE,
# replacing it atomically only when its content or mode differ.
# Returns 0 when PATH changed and 1 when it was already up to date. Callers test it with
# `if`, which suspends `set -e`, so every step that can fail exits the script itself; never
# feed it through a pipe (a pipeline stage is a subshell whose exit would be swallowed).
write_file() {
  local path="$1" mode="$2" content="${3%$'\n'}" tmp
  mkdir -p "$(dirname "$path")" || die "cannot create the directory of $path"
  # A run killed between mktemp and mv leaves a sibling behind (maybe a key): drop it.
  rm -f -- "${path}".klustered.??????
  tmp="$(mktemp "${path}.klustered.XXXXXX")" || die "cannot create a temp file for $path"
  CLEANUP+=("$tmp")
  printf '%s\n' "$content" >"$tmp" || die "cannot write $tmp"
  if [ -f "$path" ] && cmp -s "$tmp" "$path" && [ "$(stat -c %a "$path")" = "${mode#0}" ]; then
    rm -f "$tmp"
    return 1
  fi
  chmod "$mode" "$tmp" || die "cannot chmod $tmp"
  mv -f "$tmp" "$path" || die "cannot replace $path"
  log "wrote $path"
  return 0
}

# pkg_installed NAME: true when the Debian package NAME is installed.
pkg_installed() {
  # shellcheck disable=SC2016  # ${Status} is dpkg-query's field syntax, not a shell expansion
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# pkg_version NAME: the installed version of NAME, empty when it is not installed.
pkg_version() {
  if pkg_installed "$1"; then
    # shellcheck disable=SC2016
    dpkg-query -W -f='${Version}' "$1"
  fi
}

# apt_get ARGS...: apt-get that waits (up to 10 minutes) for the dpkg lock instead of
# failing while unattended-upgrades holds it on a fresh machine's first boot.
apt_get() {
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@"
}

APT_UPDATED=0
apt_update() {
  if [ "$APT_UPDATED" = 0 ]; then
    retry 5 apt_get update -qq
    APT_UPDATED=1
  fi
}

# apt_install PKG...: install the packages that are missing, nothing else. Configuration
# files already in place (written by the phase before the install) are kept.
apt_install() {
  local missing=() pkg
  for pkg in "$@"; do
    pkg_installed "${pkg%%=*}" || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    apt_update
    retry 5 apt_get install -y -qq --no-install-recommends \
      -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"
  fi
}

# secret_file VAR NAME: set VAR to a new empty 0600 file for secret text, under the
# root-only SECRET_DIR; removed when the phase exits, leftovers of a killed run first.
# (Not a command substitution: the cleanup list must be this shell's.)
secret_file() {
  local path
  install -d -m 0700 "$SECRET_DIR"
  rm -f -- "$SECRET_DIR/$2".??????
  path="$(mktemp "$SECRET_DIR/$2.XXXXXX")"
  CLEANUP+=("$path")
  printf -v "$1" '%s' "$path"
}

# ensure_service UNIT: enabled and running, without touching it when it already is.
ensure_service() {
  if ! systemctl is-enabled --quiet "$1"; then
    systemctl enable "$1"
  fi
  if ! systemctl is-active --quiet "$1"; then
    systemctl start "$1"
  fi
}
