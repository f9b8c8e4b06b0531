#!/usr/bin/env bash
# Point the built-in apps/v1 APIService at a Service that does not exist.
set -euo pipefail
kubectl patch apiservice v1.apps --type merge -p \
  '{"spec":{"service":{"namespace":"kube-system","name":"metrics-proxy","port":443},"insecureSkipTLSVerify":true}}'
