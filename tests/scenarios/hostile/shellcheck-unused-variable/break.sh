#!/usr/bin/env bash
set -euo pipefail
replicas=0
kubectl get pods
