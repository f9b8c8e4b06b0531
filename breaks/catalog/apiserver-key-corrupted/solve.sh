#!/usr/bin/env bash
# Repair the PEM footer and wait for the API server to answer again.
set -euo pipefail
key=/etc/kubernetes/pki/apiserver.key
sed -i -e 's/^-----END R5A PRIVATE KEY-----$/-----END RSA PRIVATE KEY-----/' \
  -e 's/^-----END \(EC \)\{0,1\}PR1VATE KEY-----$/-----END \1PRIVATE KEY-----/' "$key"
kb_wait 330 curl -fsk https://127.0.0.1:6443/livez
