#!/usr/bin/env bash
set -euo pipefail
sed -i 's/^#*PermitRootLogin.*/PermitRootLogin no/' /etc/ssh/sshd_config
