#!/usr/bin/env bash
set -euo pipefail
nft flush ruleset
