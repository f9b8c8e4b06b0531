#!/usr/bin/env bash
# Remove the execute bit from kubectl, then from chmod itself (chmod last, or it could
# not run again). A second run finds nothing executable and changes nothing.
set -euo pipefail
for bin in /usr/bin/kubectl /usr/bin/chmod; do
  if [ -x "$bin" ]; then
    /usr/bin/chmod a-x "$bin"
  fi
done
