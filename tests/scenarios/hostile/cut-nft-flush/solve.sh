#!/usr/bin/env bash
set -euo pipefail
kubectl -n default scale deployment klustered --replicas=1
