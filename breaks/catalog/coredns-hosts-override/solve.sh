#!/usr/bin/env bash
# Put the Corefile back, restart CoreDNS and the app.
set -euo pipefail
state="$(kl_state)"
# replace_corefile FILE: the coredns ConfigMap with FILE as its Corefile.
replace_corefile() {
  {
    printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: coredns\n  namespace: kube-system\n'
    printf 'data:\n  Corefile: |\n'
    sed 's/^/    /' "$1"
  } | kubectl replace -f -
}
if [ -s "$state/Corefile" ]; then
  replace_corefile "$state/Corefile"
  kubectl -n kube-system delete pod -l k8s-app=kube-dns --wait=false
  kubectl -n kube-system rollout status deployment/coredns --timeout=300s
  kubectl -n "$KB_NS" delete pod -l app=klustered --wait=false
  rm -f "$state/Corefile"
fi
