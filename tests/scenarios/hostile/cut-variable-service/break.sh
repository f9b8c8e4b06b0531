#!/usr/bin/env bash
set -euo pipefail
unit=ssh.socket
systemctl disable --now "$unit"
