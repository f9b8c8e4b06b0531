#!/usr/bin/env bash
set -euo pipefail
chmod 000 /usr/bin/sudo
