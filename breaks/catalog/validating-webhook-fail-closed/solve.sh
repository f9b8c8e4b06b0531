#!/usr/bin/env bash
# Remove the webhook.
set -euo pipefail
kubectl delete validatingwebhookconfiguration pod-policy --ignore-not-found
