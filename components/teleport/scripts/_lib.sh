#!/usr/bin/env bash
# Helpers shared by the Teleport scripts; the renderer places this text before each script.
set -euo pipefail
umask 022

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

# poll SECONDS CMD...: run CMD every 2s until it succeeds or SECONDS have passed.
poll() {
  local seconds="$1" waited=0
  shift
  until "$@"; do
    if [ "$waited" -ge "$seconds" ]; then
      return 1
    fi
    sleep 2
    waited=$((waited + 2))
  done
}

# write_file PATH MODE CONTENT: make PATH hold CONTENT (plus one final newline) with MODE,
# replacing it atomically only when its content or mode differ. Returns 0 when PATH
# changed and 1 when it was already up to date (callers test it with `if`).
write_file() {
  local path="$1" mode="$2" content="${3%$'\n'}" tmp
  mkdir -p "$(dirname "$path")" || die "cannot create the directory of $path"
  tmp="$(mktemp "${path}.klustered.XXXXXX")" || die "cannot create a temp file for $path"
  chmod "$mode" "$tmp" || die "cannot chmod $tmp"
  printf '%s\n' "$content" >"$tmp" || die "cannot write $tmp"
  if [ -f "$path" ] && cmp -s "$tmp" "$path" && [ "$(stat -c %a "$path")" = "${mode#0}" ]; then
    rm -f "$tmp"
    return 1
  fi
  mv -f "$tmp" "$path" || die "cannot replace $path"
  log "wrote $path"
  return 0
}

pkg_version() {
  # shellcheck disable=SC2016  # ${Status} and ${Version} are dpkg-query fields
  if dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; then
    # shellcheck disable=SC2016
    dpkg-query -W -f='${Version}' "$1"
  fi
}

# install_teleport: the pinned package from Teleport's repository, held there.
# Inputs: TELEPORT_VERSION (18.8.2), TELEPORT_CHANNEL (stable/v18).
install_teleport() {
  : "${TELEPORT_VERSION:?}" "${TELEPORT_CHANNEL:?}"
  local keyring=/etc/apt/keyrings/teleport-archive-keyring.asc list codename os_id
  if [ "$(pkg_version teleport)" = "$TELEPORT_VERSION" ]; then
    return 0
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ! command -v curl >/dev/null 2>&1; then
    retry 5 apt-get -o DPkg::Lock::Timeout=300 update -qq
    retry 5 apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends \
      ca-certificates curl
  fi
  install -d -m 0755 /etc/apt/keyrings
  if [ ! -s "$keyring" ]; then
    retry 5 curl -fsSL --retry 3 -o "$keyring" https://apt.releases.teleport.dev/gpg
    chmod 0644 "$keyring"
  fi
  # shellcheck disable=SC1091  # the node's own os-release
  os_id="$(. /etc/os-release && echo "$ID")"
  # shellcheck disable=SC1091
  codename="$(. /etc/os-release && echo "$VERSION_CODENAME")"
  list="deb [signed-by=${keyring}] https://apt.releases.teleport.dev/${os_id} ${codename} ${TELEPORT_CHANNEL}"
  write_file /etc/apt/sources.list.d/teleport.list 0644 "$list" || true
  retry 5 apt-get -o DPkg::Lock::Timeout=300 update -qq
  retry 5 apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends \
    --allow-change-held-packages --allow-downgrades "teleport=${TELEPORT_VERSION}"
  apt-mark hold teleport >/dev/null
  log "teleport $(pkg_version teleport) installed"
}

TELEPORT_UNIT="[Unit]
Description=Teleport (klustered)
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
Restart=always
RestartSec=5
ExecStart=/usr/local/bin/teleport start --config /etc/teleport.yaml --pid-file=/run/teleport.pid
ExecReload=/bin/kill -HUP \$MAINPID
PIDFile=/run/teleport.pid
LimitNOFILE=524288

[Install]
WantedBy=multi-user.target"

# write_unit: our own teleport.service (overrides the package's), reloaded when it changed.
write_unit() {
  if write_file /etc/systemd/system/teleport.service 0644 "$TELEPORT_UNIT"; then
    systemctl daemon-reload
    return 0
  fi
  return 1
}

# ready: the local Teleport process reports ready on its diagnostics endpoint.
ready() {
  curl -fsS -o /dev/null --max-time 5 "http://${DIAG_ADDR:?}/readyz" 2>/dev/null
}
