#!/usr/bin/env bash
# Put etcd's manifest back as it was before the break.
set -euo pipefail
kl_restore /etc/kubernetes/manifests/etcd.yaml
