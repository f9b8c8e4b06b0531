#!/usr/bin/env bash
set -euo pipefail
pkill -f 'tele.ort'
