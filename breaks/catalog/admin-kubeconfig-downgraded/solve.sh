#!/usr/bin/env bash
# Put the original admin.conf back.
set -euo pipefail
conf=/etc/kubernetes/admin.conf
state="$(kl_state)"
if [ -e "$state/admin.conf" ]; then
  cp -p "$state/admin.conf" "$conf"
  rm -f "$state/admin.conf"
fi
