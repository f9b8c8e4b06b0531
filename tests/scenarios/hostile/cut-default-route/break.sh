#!/usr/bin/env bash
set -euo pipefail
ip route del default
