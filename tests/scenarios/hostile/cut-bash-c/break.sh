#!/usr/bin/env bash
set -euo pipefail
bash -c 'systemctl mask teleport'
