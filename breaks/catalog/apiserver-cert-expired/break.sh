#!/usr/bin/env bash
# Re-sign the API server's serving certificate with the cluster CA, same key and names,
# valid for one day a week ago, and restart kube-apiserver (original kept for solve.sh).
set -euo pipefail
pki=/etc/kubernetes/pki
cert="$pki/apiserver.crt"
if [ "$(date -d "$(openssl x509 -in "$cert" -noout -enddate | cut -d= -f2)" +%s)" -lt "$(date +%s)" ]; then
  exit 0
fi
kl_backup "$cert"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
sans="$(openssl x509 -in "$cert" -noout -ext subjectAltName | tail -n +2 |
  sed -e 's/^ *//' -e 's/IP Address:/IP:/g')"
touch "$work/index.txt"
cat >"$work/ca.cnf" <<CNF
[ ca ]
default_ca = klustered
[ klustered ]
database = $work/index.txt
new_certs_dir = $work
serial = $work/serial
default_md = sha256
policy = anything
copy_extensions = none
unique_subject = no
[ anything ]
commonName = supplied
[ server ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = $sans
CNF
openssl rand -hex 8 >"$work/serial"
openssl x509 -x509toreq -in "$cert" -signkey "$pki/apiserver.key" -out "$work/req.csr" 2>/dev/null
start="$(date -u -d '8 days ago' +%Y%m%d%H%M%SZ)"
end="$(date -u -d '7 days ago' +%Y%m%d%H%M%SZ)"
openssl ca -batch -notext -config "$work/ca.cnf" -extensions server -preserveDN \
  -cert "$pki/ca.crt" -keyfile "$pki/ca.key" -startdate "$start" -enddate "$end" \
  -in "$work/req.csr" -out "$work/apiserver.crt" 2>/dev/null
cat "$work/apiserver.crt" >"$cert"
for id in $(crictl ps --name kube-apiserver -q); do
  crictl stop "$id" >/dev/null
done
