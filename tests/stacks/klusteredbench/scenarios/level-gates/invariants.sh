[ "$(kubectl get deployment database -o jsonpath='{.spec.replicas}')" = 1 ]
