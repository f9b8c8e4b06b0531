#!/usr/bin/env bash
# Remove the wrapper.
set -euo pipefail
rm -f /usr/local/bin/kubectl
