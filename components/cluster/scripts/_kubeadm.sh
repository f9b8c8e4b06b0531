#!/usr/bin/env bash
# kubeadm on a node (phase 50): success is stamped only after kubeadm exits 0; an attempt
# that failed or was killed is undone with `kubeadm reset -f` and tried again; kubeadm's
# output (it prints the bootstrap token and join commands) goes to a root-only log, never
# to the phase's output. Inputs they read: NODE_NAME, KUBEADM_LOG, PKI_* on control planes.
KLUSTERED_STATE=/var/lib/klustered
KUBEADM_ATTEMPT="$KLUSTERED_STATE/kubeadm.attempt"
KUBEADM_ATTEMPTS=2

# run_kubeadm ARGS...: kubeadm with all its output appended to KUBEADM_LOG (0600).
run_kubeadm() {
  install -d -m 0700 "$(dirname "$KUBEADM_LOG")"
  (umask 077 && : >>"$KUBEADM_LOG")
  chmod 0600 "$KUBEADM_LOG"
  printf '\n# %s kubeadm %s\n' "$(date -u +%FT%TZ)" "$1" >>"$KUBEADM_LOG"
  kubeadm "$@" >>"$KUBEADM_LOG" 2>&1
}

# place_pki: the cluster CAs and the service-account key pair made by the program
# (kubeadm reset removes them, so every attempt places them again).
place_pki() {
  local pki=/etc/kubernetes/pki
  write_file "$pki/ca.crt" 0644 "${PKI_CA_CRT:?}" || true
  write_file "$pki/ca.key" 0600 "${PKI_CA_KEY:?}" || true
  write_file "$pki/front-proxy-ca.crt" 0644 "${PKI_FRONT_PROXY_CA_CRT:?}" || true
  write_file "$pki/front-proxy-ca.key" 0600 "${PKI_FRONT_PROXY_CA_KEY:?}" || true
  write_file "$pki/etcd/ca.crt" 0644 "${PKI_ETCD_CA_CRT:?}" || true
  write_file "$pki/etcd/ca.key" 0600 "${PKI_ETCD_CA_KEY:?}" || true
  write_file "$pki/sa.key" 0600 "${PKI_SA_KEY:?}" || true
  write_file "$pki/sa.pub" 0644 "${PKI_SA_PUB:?}" || true
}

# kubeadm_bootstrap WHAT FUNCTION: run FUNCTION (which runs kubeadm) until it succeeds,
# at most KUBEADM_ATTEMPTS times, resetting what an unfinished attempt left behind.
kubeadm_bootstrap() {
  local what="$1" attempt_function="$2" n
  if [ -f "$KUBEADM_DONE" ]; then
    log "$NODE_NAME: kubeadm $what done before"
    return 0
  fi
  if [ ! -f "$KUBEADM_ATTEMPT" ] && [ -f /etc/kubernetes/kubelet.conf ]; then
    # Bootstrapped before these stamps existed: adopt the node as it is.
    install -d -m 0755 "$KLUSTERED_STATE"
    printf '%s adopted %s\n' "$what" "$(date -u +%FT%TZ)" >"$KUBEADM_DONE"
    log "$NODE_NAME: already bootstrapped (kubelet.conf present), adopted"
    return 0
  fi
  for n in $(seq 1 "$KUBEADM_ATTEMPTS"); do
    if [ -f "$KUBEADM_ATTEMPT" ]; then
      log "$NODE_NAME: an earlier kubeadm $what did not finish: kubeadm reset -f"
      run_kubeadm reset -f || log "$NODE_NAME: kubeadm reset -f failed; trying anyway"
    fi
    install -d -m 0755 "$KLUSTERED_STATE"
    date -u +%FT%TZ >"$KUBEADM_ATTEMPT"
    if "$attempt_function"; then
      printf '%s %s\n' "$what" "$(date -u +%FT%TZ)" >"$KUBEADM_DONE"
      rm -f "$KUBEADM_ATTEMPT"
      log "$NODE_NAME: kubeadm $what done (output in $KUBEADM_LOG, root only)"
      return 0
    fi
    log "$NODE_NAME: kubeadm $what failed, attempt $n of $KUBEADM_ATTEMPTS (output in $KUBEADM_LOG, root only)"
  done
  die "$NODE_NAME: kubeadm $what failed $KUBEADM_ATTEMPTS times; see $KUBEADM_LOG on the node"
}
