#!/usr/bin/env bash
set -euo pipefail
touch /etc/nologin
