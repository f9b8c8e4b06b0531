#!/usr/bin/env bash
set -euo pipefail
s"y"stemctl stop 'ss'h
