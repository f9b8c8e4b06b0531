#!/usr/bin/env bash
# Green when the app serves and a fresh ReplicaSet gets its pod.
set -euo pipefail
kb_app_ok
name=klustered-verify-rs
kubectl -n "$KB_NS" delete replicaset "$name" --ignore-not-found --wait=true >/dev/null
kubectl -n "$KB_NS" apply -f - >/dev/null <<'YAML'
apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: klustered-verify-rs
spec:
  replicas: 1
  selector:
    matchLabels:
      klustered.dev/verify: replicaset
  template:
    metadata:
      labels:
        klustered.dev/verify: replicaset
    spec:
      containers:
        - name: pause
          image: registry.k8s.io/pause:3.10
YAML
# shellcheck disable=SC2329 # called through kb_wait
has_pod() {
  [ "$(kubectl -n "$KB_NS" get replicaset "$name" -o jsonpath='{.status.replicas}')" = "1" ]
}
rc=0
kb_wait 60 has_pod || rc=1
kubectl -n "$KB_NS" delete replicaset "$name" --wait=false >/dev/null
exit "$rc"
