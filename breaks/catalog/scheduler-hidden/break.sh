#!/usr/bin/env bash
# Hide the scheduler's static pod manifest from kubelet, then delete the app's pod.
set -euo pipefail
dir=/etc/kubernetes/manifests
if [ -e "$dir/kube-scheduler.yaml" ]; then
  mv "$dir/kube-scheduler.yaml" "$dir/.kube-scheduler.yaml"
fi
kb_wait 180 bash -c '! pgrep -x kube-scheduler'
kubectl -n "$KB_NS" delete pod -l app=klustered --wait=false
