#!/usr/bin/env bash
# Run a webhook server in kube-system that rewrites :v2 images to :v1 in Deployments of
# the default namespace, and register it. The serving CA and key are kept on
# control-plane-1 in this break's state directory so a second run reuses them.
set -euo pipefail
state="$(kl_state)"
if [ ! -s "$state/ca.crt" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$state/ca.key" -out "$state/ca.crt" \
    -subj "/CN=image-policy-ca" -days 3650 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -keyout "$state/tls.key" -out "$state/tls.csr" \
    -subj "/CN=image-policy.kube-system.svc" 2>/dev/null
  printf 'subjectAltName=DNS:image-policy.kube-system.svc\n' >"$state/san.ext"
  openssl x509 -req -in "$state/tls.csr" -CA "$state/ca.crt" -CAkey "$state/ca.key" \
    -set_serial "0x$(openssl rand -hex 8)" -days 3650 -extfile "$state/san.ext" \
    -out "$state/tls.crt" 2>/dev/null
  rm -f "$state/ca.key" "$state/tls.csr" "$state/san.ext"
fi
kubectl -n kube-system create secret tls image-policy \
  --cert="$state/tls.crt" --key="$state/tls.key" --dry-run=client -o yaml | kubectl apply -f -
kubectl apply -f - <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: image-policy
  namespace: kube-system
data:
  server.py: |
    import base64
    import json
    import os
    import ssl
    from http.server import BaseHTTPRequestHandler, HTTPServer


    def rewrite(obj):
        patch = []
        spec = obj.get("spec", {}).get("template", {}).get("spec", {})
        for i, container in enumerate(spec.get("containers", [])):
            image = container.get("image", "")
            if image.endswith(":v2"):
                path = "/spec/template/spec/containers/%d/image" % i
                patch.append({"op": "replace", "path": path, "value": image[:-1] + "1"})
        return patch


    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            review = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            request = review["request"]
            response = {"uid": request["uid"], "allowed": True}
            patch = rewrite(request.get("object") or {})
            if patch:
                response["patchType"] = "JSONPatch"
                response["patch"] = base64.b64encode(json.dumps(patch).encode()).decode()
            body = json.dumps(
                {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "response": response}
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)


    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls = os.environ.get("TLS_DIR", "/tls")
    context.load_cert_chain(tls + "/tls.crt", tls + "/tls.key")
    server = HTTPServer(("", int(os.environ.get("PORT", "8443"))), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.serve_forever()
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: image-policy
  namespace: kube-system
  labels:
    app: image-policy
spec:
  replicas: 1
  selector:
    matchLabels:
      app: image-policy
  template:
    metadata:
      labels:
        app: image-policy
    spec:
      containers:
        - name: server
          image: docker.io/library/python:3.13-alpine
          command: ["python", "/app/server.py"]
          ports:
            - containerPort: 8443
          volumeMounts:
            - name: app
              mountPath: /app
            - name: tls
              mountPath: /tls
      volumes:
        - name: app
          configMap:
            name: image-policy
        - name: tls
          secret:
            secretName: image-policy
---
apiVersion: v1
kind: Service
metadata:
  name: image-policy
  namespace: kube-system
spec:
  selector:
    app: image-policy
  ports:
    - port: 443
      targetPort: 8443
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: image-policy
webhooks:
  - name: image-policy.kube-system.svc
    admissionReviewVersions: ["v1"]
    sideEffects: None
    failurePolicy: Ignore
    reinvocationPolicy: IfNeeded
    clientConfig:
      service:
        name: image-policy
        namespace: kube-system
        path: /mutate
    namespaceSelector:
      matchLabels:
        kubernetes.io/metadata.name: default
    rules:
      - apiGroups: ["apps"]
        apiVersions: ["v1"]
        operations: ["CREATE", "UPDATE"]
        resources: ["deployments"]
YAML
kubectl patch mutatingwebhookconfiguration image-policy --type json -p \
  "[{\"op\":\"add\",\"path\":\"/webhooks/0/clientConfig/caBundle\",\"value\":\"$(base64 -w0 <"$state/ca.crt")\"}]"
kubectl -n kube-system rollout status deployment/image-policy --timeout=300s
