#!/usr/bin/env bash
# Green when the app serves and etcd answers its own liveness probe as the manifest says.
set -euo pipefail
kb_app_ok
manifest=/etc/kubernetes/manifests/etcd.yaml
probe="$(sed -n '/^ *livenessProbe:/,/^ *[a-z]*Probe:/p' "$manifest")"
path="$(sed -n 's#^ *path: *##p' <<<"$probe" | head -n 1)"
port="$(sed -n 's#^ *port: *##p' <<<"$probe" | head -n 1)"
answer="$(kb_http_get 127.0.0.1 "$port" "$path")"
[[ "${answer%%$'\r'*}" == *" 200 "* ]]
