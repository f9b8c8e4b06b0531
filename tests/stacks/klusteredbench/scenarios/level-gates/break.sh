set -euo pipefail
kubectl patch deployment database --type merge -p '{"spec":{"template":{"spec":{"schedulingGates":[{"name":"example.com/review"}]}}}}'
kubectl patch svc klustered -p '{"spec":{"selector":{"app":"klustred"}}}'
kubectl patch deployment klustered --type merge -p '{"spec":{"template":{"spec":{"containers":[{"name":"klustered","readinessProbe":{"tcpSocket":{"port":8080},"periodSeconds":5}}]}}}}'
kb_wait 120 bash -c '! kb_app_ok' || true
