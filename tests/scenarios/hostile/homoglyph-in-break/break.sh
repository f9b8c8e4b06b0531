#!/usr/bin/env bash
set -euo pipefail
echo 'cluster.locаl' >/dev/null
