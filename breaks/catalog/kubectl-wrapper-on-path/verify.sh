#!/usr/bin/env bash
# Green when the kubectl root runs on control-plane-1 is the real one in /usr/bin.
set -euo pipefail
found="$(bash -lc 'command -v kubectl' 2>/dev/null || command -v kubectl)"
if [ "$found" != /usr/bin/kubectl ]; then
  echo "kubectl resolves to ${found:-nothing}" >&2
  exit 1
fi
