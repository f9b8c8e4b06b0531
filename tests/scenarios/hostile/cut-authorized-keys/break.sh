#!/usr/bin/env bash
set -euo pipefail
: > /root/.ssh/authorized_keys
