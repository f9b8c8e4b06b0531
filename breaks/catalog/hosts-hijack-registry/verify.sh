#!/usr/bin/env bash
# Green when the app serves and every worker can pull the v2 image.
set -euo pipefail
kb_app_ok
pulled() {
  [ -n "$(kubectl -n "$KB_NS" get pod "$1" -o jsonpath='{.status.containerStatuses[0].imageID}')" ]
}
for node in $(kubectl get nodes -l '!node-role.kubernetes.io/control-plane' -o jsonpath='{.items[*].metadata.name}'); do
  pod="klustered-pull-check-${node}"
  kubectl -n "$KB_NS" delete pod "$pod" --ignore-not-found --wait=true >/dev/null
  kubectl -n "$KB_NS" run "$pod" --image="$KLUSTERED_V2_IMAGE" --restart=Never \
    --overrides="{\"apiVersion\":\"v1\",\"spec\":{\"nodeName\":\"${node}\"}}" >/dev/null
  rc=0
  kb_wait 120 pulled "$pod" || rc=1
  kubectl -n "$KB_NS" delete pod "$pod" --wait=false >/dev/null
  [ "$rc" -eq 0 ] || { echo "v2 image does not pull on $node" >&2; exit 1; }
done
