#!/usr/bin/env bash
set -euo pipefail
nft add rule inet filter input tcp dport '{ 22, 3022 }' drop
