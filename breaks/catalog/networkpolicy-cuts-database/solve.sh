#!/usr/bin/env bash
# Remove the policy.
set -euo pipefail
kubectl -n "$KB_NS" delete networkpolicy allow-database --ignore-not-found
