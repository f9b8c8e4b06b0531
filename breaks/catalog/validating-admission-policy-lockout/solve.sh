#!/usr/bin/env bash
# Remove the policy and its binding; the ReplicaSet then creates the pod.
set -euo pipefail
kubectl delete validatingadmissionpolicybinding namespace-guard --ignore-not-found
kubectl delete validatingadmissionpolicy namespace-guard --ignore-not-found
