#!/usr/bin/env bash
# Teleport's own helpers. The renderer places the node helpers (components/cluster/scripts/
# _lib.sh: log, die, retry, write_file, pkg_version, secret_file, ...) before this text,
# and both before each script.

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
# Input: TELEPORT_UNIT_FILE (/etc/systemd/system/teleport.service).
write_unit() {
  if write_file "${TELEPORT_UNIT_FILE:?}" 0644 "$TELEPORT_UNIT"; then
    systemctl daemon-reload
    return 0
  fi
  return 1
}

# ready: the local Teleport process reports ready on its diagnostics endpoint.
ready() {
  curl -fsS -o /dev/null --max-time 5 "http://${DIAG_ADDR:?}/readyz" 2>/dev/null
}
