#!/usr/bin/env bash
# Corrupt the PEM footer of the API server's private key and restart kube-apiserver.
set -euo pipefail
key=/etc/kubernetes/pki/apiserver.key
sed -i -e 's/^-----END RSA PRIVATE KEY-----$/-----END R5A PRIVATE KEY-----/' \
  -e 's/^-----END \(EC \)\{0,1\}PRIVATE KEY-----$/-----END \1PR1VATE KEY-----/' "$key"
for id in $(crictl ps --name kube-apiserver -q); do
  crictl stop "$id" >/dev/null
done
