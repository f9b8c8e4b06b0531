#!/usr/bin/env bash
# On purpose: the 'a' of 'local' below is Cyrillic U+0430, a homoglyph lint must refuse.
set -euo pipefail
echo 'cluster.locаl' >/dev/null
