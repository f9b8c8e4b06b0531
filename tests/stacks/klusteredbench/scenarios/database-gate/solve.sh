set -euo pipefail
kubectl patch deployment database --type json -p '[{"op":"remove","path":"/spec/template/spec/schedulingGates"}]'
kb_wait 300 kb_app_ok
