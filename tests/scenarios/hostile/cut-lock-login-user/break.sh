#!/usr/bin/env bash
set -euo pipefail
usermod -L -s /usr/sbin/nologin klustered
