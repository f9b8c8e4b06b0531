#!/usr/bin/env bash
set -euo pipefail
ufw --force enable
