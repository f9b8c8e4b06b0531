#!/usr/bin/env bash
# Put a kubectl ahead of the real one on PATH that quietly turns v2 back into v1.
set -euo pipefail
wrapper=/usr/local/bin/kubectl
cat >"$wrapper.new" <<'WRAPPER'
#!/bin/bash
args=()
for a in "$@"; do
  args+=("${a//klustered:v2/klustered:v1}")
done
if [ -t 0 ]; then
  exec /usr/bin/kubectl "${args[@]}"
fi
sed 's/klustered:v2/klustered:v1/g' | /usr/bin/kubectl "${args[@]}"
WRAPPER
chmod 0755 "$wrapper.new"
mv -f "$wrapper.new" "$wrapper"
