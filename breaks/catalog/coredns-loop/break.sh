#!/usr/bin/env bash
# Make CoreDNS forward to itself (the original Corefile is kept on control-plane-1 for
# solve.sh), restart it, delete the app's pod.
set -euo pipefail
state="$(kl_state)"
corefile="$(kubectl -n kube-system get configmap coredns -o jsonpath='{.data.Corefile}')"
if ! grep -q 'forward \. 127\.0\.0\.1' <<<"$corefile"; then
  printf '%s\n' "$corefile" >"$state/Corefile"
  sed 's#forward \. [^ {]*#forward . 127.0.0.1#' "$state/Corefile" >"$state/Corefile.broken"
  kubectl -n kube-system create configmap coredns --from-file=Corefile="$state/Corefile.broken" \
    --dry-run=client -o yaml | kubectl replace -f -
  rm -f "$state/Corefile.broken"
  kubectl -n kube-system rollout restart deployment/coredns
fi
kubectl -n "$KB_NS" delete pod -l app=klustered --wait=false
kb_wait 120 bash -c '! kb_app_ok' || true
