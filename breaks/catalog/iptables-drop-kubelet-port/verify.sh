#!/usr/bin/env bash
# Green when the app serves and the API server can reach the app pod's kubelet (logs).
set -euo pipefail
kb_app_ok
pod="$(kb_app_pod)"
[ -n "$pod" ]
kubectl -n "$KB_NS" logs --request-timeout=15s --tail=1 "pod/$pod" >/dev/null
