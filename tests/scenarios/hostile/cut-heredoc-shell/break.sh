#!/usr/bin/env bash
set -euo pipefail
bash <<'EOF'
service ssh stop
EOF
