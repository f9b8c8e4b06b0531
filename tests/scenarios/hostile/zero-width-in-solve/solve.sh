#!/usr/bin/env bash
# On purpose: a zero-width space (U+200B) follows 'kubectl' below; lint must refuse it.
set -euo pipefail
kubectl​ -n default get pods
