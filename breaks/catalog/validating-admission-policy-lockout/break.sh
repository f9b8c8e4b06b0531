#!/usr/bin/env bash
# Deny pod creation in the default namespace by policy, then delete the app's pod.
set -euo pipefail
kubectl apply -f - <<'YAML'
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: namespace-guard
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
      - apiGroups: [""]
        apiVersions: ["v1"]
        operations: ["CREATE"]
        resources: ["pods"]
  validations:
    - expression: "object.metadata.name.startsWith('kube-')"
      message: "pods in this namespace are reserved for the platform team"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: namespace-guard
spec:
  policyName: namespace-guard
  validationActions: [Deny]
  matchResources:
    namespaceSelector:
      matchLabels:
        kubernetes.io/metadata.name: default
YAML
sleep 5
kubectl -n "$KB_NS" delete pod -l app=klustered --wait=false
kb_wait 90 bash -c '! kb_app_ok' || true
