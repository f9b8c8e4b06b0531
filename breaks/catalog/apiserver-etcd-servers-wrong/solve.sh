#!/usr/bin/env bash
# Put kube-apiserver's manifest back as it was before the break.
set -euo pipefail
kl_restore /etc/kubernetes/manifests/kube-apiserver.yaml
