#!/usr/bin/env bash
# Swap admin.conf's client credentials for a CA-signed kubernetes-admin certificate that
# carries no group (the original file is kept in this break's state directory).
set -euo pipefail
conf=/etc/kubernetes/admin.conf
pki=/etc/kubernetes/pki
state="$(kl_state)"
if [ -e "$state/admin.conf" ]; then
  exit 0
fi
cp -p "$conf" "$state/admin.conf"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
openssl genrsa -out "$work/user.key" 2048 2>/dev/null
openssl req -new -key "$work/user.key" -subj "/CN=kubernetes-admin" -out "$work/user.csr"
openssl x509 -req -in "$work/user.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" \
  -set_serial "0x$(openssl rand -hex 8)" -days 365 -out "$work/user.crt" 2>/dev/null
cert="$(base64 -w0 <"$work/user.crt")"
key="$(base64 -w0 <"$work/user.key")"
sed -i -e "s#^\( *client-certificate-data:\).*#\1 ${cert}#" \
  -e "s#^\( *client-key-data:\).*#\1 ${key}#" "$conf"
