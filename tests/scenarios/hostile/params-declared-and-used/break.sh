#!/usr/bin/env bash
set -euo pipefail
kubectl -n default scale deployment klustered --replicas="$KLUSTERED_PARAM_REPLICAS"
