#!/usr/bin/env bash
# Put the scheduler manifest back under its real name.
set -euo pipefail
dir=/etc/kubernetes/manifests
if [ -e "$dir/.kube-scheduler.yaml" ] && [ ! -e "$dir/kube-scheduler.yaml" ]; then
  mv "$dir/.kube-scheduler.yaml" "$dir/kube-scheduler.yaml"
fi
