#!/usr/bin/env bash
set -euo pipefail
echo "$KLUSTERED_PARAM_REPLICAS"
