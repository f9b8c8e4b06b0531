#!/usr/bin/env bash
set -euo pipefail
ufw default deny incoming
