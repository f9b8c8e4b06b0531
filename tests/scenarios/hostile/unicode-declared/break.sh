#!/usr/bin/env bash
# On purpose: the 'a' of 'local' below is Cyrillic U+0430; scenario.yaml declares it, so lint accepts it.
set -euo pipefail
echo 'cluster.locаl' >/dev/null
