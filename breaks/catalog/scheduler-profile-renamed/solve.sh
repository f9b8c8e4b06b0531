#!/usr/bin/env bash
# Put kube-scheduler's manifest back and remove the profile.
set -euo pipefail
kl_restore /etc/kubernetes/manifests/kube-scheduler.yaml
rm -f /etc/kubernetes/scheduler-profile.yaml
