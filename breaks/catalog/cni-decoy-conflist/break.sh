#!/usr/bin/env bash
# On every node: a ptp conflist that sorts before Cilium's. Where kubectl has the admin
# kubeconfig (control planes): send the Cilium agents away and recreate the app's pods.
set -euo pipefail
decoy=/etc/cni/net.d/00-klustered.conflist
if [ ! -e "$decoy" ]; then
  cat >"$decoy.new" <<'JSON'
{
  "cniVersion": "1.0.0",
  "name": "klustered",
  "plugins": [
    {
      "type": "ptp",
      "ipMasq": true,
      "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.85.0.0/16"}]]}
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
JSON
  mv -f "$decoy.new" "$decoy"
fi
if [ -r /etc/kubernetes/admin.conf ]; then
  kubectl -n kube-system patch daemonset cilium --type merge \
    -p '{"spec":{"template":{"spec":{"nodeSelector":{"klustered.dev/cni":"disabled"}}}}}'
  kubectl -n "$KB_NS" delete pod -l app=klustered --wait=false
fi
