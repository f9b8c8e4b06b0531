#!/usr/bin/env bash
set -euo pipefail
kubectl​ -n default get pods
