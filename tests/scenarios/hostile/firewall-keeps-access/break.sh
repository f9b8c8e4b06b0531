#!/usr/bin/env bash
set -euo pipefail
ufw allow 22/tcp
ufw allow 3022/tcp
ufw deny 10250/tcp
ufw --force enable
