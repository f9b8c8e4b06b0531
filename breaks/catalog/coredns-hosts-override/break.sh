#!/usr/bin/env bash
# Answer the database Service's name with the API server's address, from a hosts block
# ahead of the kubernetes plugin (original Corefile kept on control-plane-1 for solve).
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
name="${KLUSTERED_DB_SERVICE}.${KB_NS}.svc.cluster.local"
corefile="$(kubectl -n kube-system get configmap coredns -o jsonpath='{.data.Corefile}')"
if ! grep -qF "$name" <<<"$corefile"; then
  printf '%s\n' "$corefile" >"$state/Corefile"
  target="$(kubectl -n default get service kubernetes -o jsonpath='{.spec.clusterIP}')"
  awk -v entry="${target:-10.96.0.1} $name" '
    /^ *kubernetes / && !done {
      print "    hosts {"; print "       " entry; print "       fallthrough"; print "    }"
      done = 1
    }
    { print }
  ' "$state/Corefile" >"$state/Corefile.broken"
  replace_corefile "$state/Corefile.broken"
  rm -f "$state/Corefile.broken"
  kubectl -n kube-system delete pod -l k8s-app=kube-dns --wait=false
fi
kubectl -n "$KB_NS" delete pod -l app=klustered --wait=false
