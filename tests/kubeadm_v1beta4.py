"""The kubeadm v1beta4 field tree and a walker that reports unknown fields (tests only)."""

from __future__ import annotations

from typing import Any

import yaml

# The allowed field tree, written from the kubeadm v1beta4 Go types:
#   kubernetes/kubernetes cmd/kubeadm/app/apis/kubeadm/v1beta4/types.go
#     (commit 1329935739c3aa007d23cb9a4dadfee9d59ff79b)
#   kubernetes/kubernetes cmd/kubeadm/app/apis/bootstraptoken/v1/types.go (BootstrapToken)
#   k8s.io/api core/v1 Taint (key, value, effect, timeAdded) and EnvVar.
# A dict maps a field to its sub-tree; LEAF is a scalar or a list of scalars; [tree] is a
# list of objects of that tree; MAP is a free-form map (featureGates).
LEAF = "leaf"
MAP = "map"
ARG = [{"name": LEAF, "value": LEAF}]
ENV_VAR = [{"name": LEAF, "value": LEAF, "valueFrom": MAP}]
HOST_PATH_MOUNT = [
    {"name": LEAF, "hostPath": LEAF, "mountPath": LEAF, "readOnly": LEAF, "pathType": LEAF}
]
TAINT = [{"key": LEAF, "value": LEAF, "effect": LEAF, "timeAdded": LEAF}]
API_ENDPOINT = {"advertiseAddress": LEAF, "bindPort": LEAF}
PATCHES = {"directory": LEAF}
TIMEOUTS = {
    "controlPlaneComponentHealthCheck": LEAF,
    "kubeletHealthCheck": LEAF,
    "kubernetesAPICall": LEAF,
    "etcdAPICall": LEAF,
    "tlsBootstrap": LEAF,
    "discovery": LEAF,
    "upgradeManifests": LEAF,
}
NODE_REGISTRATION = {
    "name": LEAF,
    "criSocket": LEAF,
    "taints": TAINT,
    "kubeletExtraArgs": ARG,
    "ignorePreflightErrors": LEAF,
    "imagePullPolicy": LEAF,
    "imagePullSerial": LEAF,
}
CONTROL_PLANE_COMPONENT = {"extraArgs": ARG, "extraVolumes": HOST_PATH_MOUNT, "extraEnvs": ENV_VAR}
IMAGE_META = {"imageRepository": LEAF, "imageTag": LEAF}
TYPE_META = {"apiVersion": LEAF, "kind": LEAF}

V1BETA4: dict[str, dict[str, Any]] = {
    "InitConfiguration": {
        **TYPE_META,
        "bootstrapTokens": [
            {
                "token": LEAF,
                "description": LEAF,
                "ttl": LEAF,
                "expires": LEAF,
                "usages": LEAF,
                "groups": LEAF,
            }
        ],
        "dryRun": LEAF,
        "nodeRegistration": NODE_REGISTRATION,
        "localAPIEndpoint": API_ENDPOINT,
        "certificateKey": LEAF,
        "skipPhases": LEAF,
        "patches": PATCHES,
        "timeouts": TIMEOUTS,
    },
    "ClusterConfiguration": {
        **TYPE_META,
        "etcd": {
            "local": {
                **IMAGE_META,
                "dataDir": LEAF,
                "extraArgs": ARG,
                "extraEnvs": ENV_VAR,
                "serverCertSANs": LEAF,
                "peerCertSANs": LEAF,
            },
            "external": {"endpoints": LEAF, "caFile": LEAF, "certFile": LEAF, "keyFile": LEAF},
        },
        "networking": {"serviceSubnet": LEAF, "podSubnet": LEAF, "dnsDomain": LEAF},
        "kubernetesVersion": LEAF,
        "controlPlaneEndpoint": LEAF,
        "apiServer": {**CONTROL_PLANE_COMPONENT, "certSANs": LEAF},
        "controllerManager": CONTROL_PLANE_COMPONENT,
        "scheduler": CONTROL_PLANE_COMPONENT,
        "dns": {**IMAGE_META, "disabled": LEAF},
        "proxy": {"disabled": LEAF},
        "certificatesDir": LEAF,
        "imageRepository": LEAF,
        "featureGates": MAP,
        "clusterName": LEAF,
        "encryptionAlgorithm": LEAF,
        "certificateValidityPeriod": LEAF,
        "caCertificateValidityPeriod": LEAF,
    },
    "JoinConfiguration": {
        **TYPE_META,
        "dryRun": LEAF,
        "nodeRegistration": NODE_REGISTRATION,
        "caCertPath": LEAF,
        "discovery": {
            "bootstrapToken": {
                "token": LEAF,
                "apiServerEndpoint": LEAF,
                "caCertHashes": LEAF,
                "unsafeSkipCAVerification": LEAF,
            },
            "file": {"kubeConfigPath": LEAF},
            "tlsBootstrapToken": LEAF,
        },
        "controlPlane": {"localAPIEndpoint": API_ENDPOINT, "certificateKey": LEAF},
        "skipPhases": LEAF,
        "patches": PATCHES,
        "timeouts": TIMEOUTS,
    },
}
# KubeletConfiguration (kubelet.config.k8s.io/v1beta1, k8s.io/kubelet/config/v1beta1/types.go):
# only the fields this project sets are allowed, so a new one has to be looked up first.
KUBELET = {**TYPE_META, "cgroupDriver": LEAF}


def unknown_keys(value: Any, tree: Any, path: str = "") -> list[str]:
    """Every key path in `value` that `tree` does not allow."""
    if tree == MAP:
        return [] if isinstance(value, dict) else [f"{path}: expected a map"]
    if tree == LEAF:
        if isinstance(value, dict) or (
            isinstance(value, list) and any(isinstance(v, dict | list) for v in value)
        ):
            return [f"{path}: expected a scalar or list of scalars"]
        return []
    if isinstance(tree, list):
        if not isinstance(value, list):
            return [f"{path}: expected a list"]
        found: list[str] = []
        for i, item in enumerate(value):
            found += unknown_keys(item, tree[0], f"{path}[{i}]")
        return found
    if not isinstance(value, dict):
        return [f"{path}: expected an object"]
    found = []
    for key, sub in value.items():
        if key not in tree:
            found.append(f"{path}.{key}" if path else key)
        else:
            found += unknown_keys(sub, tree[key], f"{path}.{key}" if path else key)
    return found


def check_documents(text: str) -> list[dict[str, Any]]:
    """Parse a rendered file and fail on any field the API does not have."""
    docs = [d for d in yaml.safe_load_all(text) if d is not None]
    for doc in docs:
        if doc["apiVersion"] == "kubelet.config.k8s.io/v1beta1":
            tree = KUBELET
        else:
            assert doc["apiVersion"] == "kubeadm.k8s.io/v1beta4"
            tree = V1BETA4[doc["kind"]]
        assert unknown_keys(doc, tree) == [], doc["kind"]
    return docs
