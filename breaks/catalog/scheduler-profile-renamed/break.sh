#!/usr/bin/env bash
# Restart kube-scheduler with a profile whose name looks like default-scheduler but is
# not, then recreate the app's pods (original manifest kept for solve.sh).
set -euo pipefail
manifest=/etc/kubernetes/manifests/kube-scheduler.yaml
profile=/etc/kubernetes/scheduler-profile.yaml
if ! grep -q -- "--config=$profile" "$manifest"; then
  cat >"$profile" <<'YAML'
apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
clientConnection:
  kubeconfig: /etc/kubernetes/scheduler.conf
leaderElection:
  leaderElect: true
profiles:
- schedulerName: default-scheduIer
YAML
  chmod 0600 "$profile"
  kl_backup "$manifest"
  sed -i \
    -e "s#^\( *\)- kube-scheduler\$#&\n\1- --config=$profile#" \
    -e "s#^\( *\)volumeMounts:\$#&\n\1- mountPath: $profile\n\1  name: profile\n\1  readOnly: true#" \
    -e "s#^\( *\)volumes:\$#&\n\1- hostPath:\n\1    path: $profile\n\1    type: File\n\1  name: profile#" \
    "$manifest"
fi
if [ -r /etc/kubernetes/admin.conf ]; then
  kubectl -n "$KB_NS" delete pod -l app=klustered --wait=false
fi
