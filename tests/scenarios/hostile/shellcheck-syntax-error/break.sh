#!/usr/bin/env bash
set -euo pipefail
if true; then
