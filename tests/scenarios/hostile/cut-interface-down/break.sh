#!/usr/bin/env bash
set -euo pipefail
ip link set dev ens4 down
