#!/usr/bin/env bash
# Unregister the webhook first (so nothing is rewritten any more), then remove its server.
set -euo pipefail
kubectl delete mutatingwebhookconfiguration image-policy --ignore-not-found
for kind in deployment service configmap secret; do
  kubectl -n kube-system delete "$kind" image-policy --ignore-not-found
done
rm -f "$(kl_state)/ca.crt" "$(kl_state)/tls.crt" "$(kl_state)/tls.key"
