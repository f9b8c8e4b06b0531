#!/usr/bin/env bash
# Remove the out-of-service taint from every node that carries it.
set -euo pipefail
for node in $(kubectl get nodes -o jsonpath='{range .items[*]}{.metadata.name}{" "}{.spec.taints[*].key}{"\n"}{end}' | awk '/node.kubernetes.io\/out-of-service/ {print $1}'); do
  kubectl taint nodes "$node" node.kubernetes.io/out-of-service-
done
