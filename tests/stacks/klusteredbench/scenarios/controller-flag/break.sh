set -euo pipefail
M=/etc/kubernetes/manifests/kube-controller-manager.yaml
sed -i 's#^\([[:space:]]*- --controllers=\).*#\1*,-deployment-controller,-replicaset-controller#' "$M"
sleep 5
kubectl delete pod -l app=klustered --wait=false
