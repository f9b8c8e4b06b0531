set -euo pipefail
kubectl patch deployment database --type merge -p '{"spec":{"template":{"spec":{"schedulingGates":[{"name":"example.com/review"}]}}}}'
kubectl rollout restart deployment/klustered
