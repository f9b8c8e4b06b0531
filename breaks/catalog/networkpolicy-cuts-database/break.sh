#!/usr/bin/env bash
# Isolate every pod in the default namespace but the app, admitting nobody.
set -euo pipefail
kubectl -n "$KB_NS" apply -f - <<'YAML'
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-database
spec:
  podSelector:
    matchExpressions:
      - key: app
        operator: NotIn
        values: [klustered]
  policyTypes: [Ingress]
  ingress:
    - from:
        - podSelector:
            matchLabels:
              role: frontend
YAML
kubectl -n "$KB_NS" delete pod -l app=klustered --wait=false
kb_wait 120 bash -c '! kb_app_ok' || true
