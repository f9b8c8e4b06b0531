#!/usr/bin/env bash
# Cap containers in the default namespace below what the app needs, then delete its pod.
set -euo pipefail
kubectl -n "$KB_NS" apply -f - <<'YAML'
apiVersion: v1
kind: LimitRange
metadata:
  name: defaults
spec:
  limits:
    - type: Container
      min:
        cpu: 2m
        memory: 1Mi
      max:
        cpu: 2m
        memory: 1Mi
YAML
kubectl -n "$KB_NS" delete pod -l app=klustered --wait=false
kb_wait 90 bash -c '! kb_app_ok' || true
