#!/usr/bin/env bash
# Allow zero pods and zero ReplicaSets in the default namespace, then delete the app's pod.
set -euo pipefail
kubectl -n "$KB_NS" apply -f - <<'YAML'
apiVersion: v1
kind: ResourceQuota
metadata:
  name: compute
spec:
  hard:
    pods: "0"
    count/replicasets.apps: "0"
YAML
kubectl -n "$KB_NS" delete pod -l app=klustered --wait=false
kb_wait 90 bash -c '! kb_app_ok' || true
