#!/usr/bin/env bash
# Join-token step, run on a live control plane (the "keeper") each time a node's join runs:
# the cluster's bootstrap token exists and stays valid for at least TOKEN_MIN_SECONDS
# (recreated for TOKEN_TTL_SECONDS when missing or about to expire), then the step waits
# (bounded) until the node has joined. A join that fails makes this step fail too, so the
# next `pulumi up` runs both again: a retry a day later still finds a valid token.
# The token reaches kubectl on stdin only; nothing printed holds it.
# Inputs (secret, on stdin): BOOTSTRAP_TOKEN; NODE_NAME, CONTROL_PLANE (1 or 0),
# TOKEN_TTL_SECONDS, TOKEN_MIN_SECONDS, JOIN_WAIT_SECONDS.
: "${BOOTSTRAP_TOKEN:?}" "${NODE_NAME:?}" "${CONTROL_PLANE:?}"
: "${TOKEN_TTL_SECONDS:?}" "${TOKEN_MIN_SECONDS:?}" "${JOIN_WAIT_SECONDS:?}"
export KUBECONFIG=/etc/kubernetes/admin.conf
token_id="${BOOTSTRAP_TOKEN%%.*}"
secret_name="bootstrap-token-$token_id"
now="$(date +%s)"

expires_at() {
  local encoded
  encoded="$(kubectl -n kube-system get secret "$secret_name" -o jsonpath='{.data.expiration}' 2>/dev/null || true)"
  [ -n "$encoded" ] || return 0
  date -d "$(base64 -d <<<"$encoded")" +%s 2>/dev/null || true
}

token_secret() {
  printf '%s\n' \
    'apiVersion: v1' \
    'kind: Secret' \
    'type: bootstrap.kubernetes.io/token' \
    'metadata:' \
    "  name: $secret_name" \
    '  namespace: kube-system' \
    'stringData:' \
    "  description: klustered node joins" \
    "  token-id: $token_id" \
    "  token-secret: ${BOOTSTRAP_TOKEN#*.}" \
    "  expiration: $(date -u -d "@$((now + TOKEN_TTL_SECONDS))" +%Y-%m-%dT%H:%M:%SZ)" \
    '  usage-bootstrap-authentication: "true"' \
    '  usage-bootstrap-signing: "true"' \
    '  auth-extra-groups: system:bootstrappers:kubeadm:default-node-token'
}

expires="$(expires_at)"
if [ -z "$expires" ] || [ "$((expires - now))" -lt "$TOKEN_MIN_SECONDS" ]; then
  # Server-side apply: no last-applied annotation carrying the token.
  token_secret | kubectl apply --server-side --force-conflicts -f - >/dev/null
  log "bootstrap token $token_id valid for $((TOKEN_TTL_SECONDS / 3600))h for the join of $NODE_NAME"
else
  log "bootstrap token $token_id valid for $(((expires - now) / 60)) more minutes"
fi

joined() {
  if [ "$CONTROL_PLANE" = 1 ]; then
    kubectl get nodes -l node-role.kubernetes.io/control-plane -o name | grep -x "node/$NODE_NAME" >/dev/null
  else
    kubectl get node "$NODE_NAME" -o name >/dev/null 2>&1
  fi
}

deadline=$((now + JOIN_WAIT_SECONDS))
until joined; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    die "$NODE_NAME has not joined after ${JOIN_WAIT_SECONDS}s (see its kubeadm-join.log)"
  fi
  sleep 5
done
log "$NODE_NAME has joined"
