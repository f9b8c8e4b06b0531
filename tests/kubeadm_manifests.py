"""Static pod manifests as kubeadm 1.34 writes them, rendered the way kubeadm builds them.

Mirrors kubernetes/kubernetes cmd/kubeadm/app (v1.34):
- phases/controlplane/manifests.go GetStaticPodSpecs, getAPIServerCommand,
  getControllerManagerCommand, getSchedulerCommand; phases/controlplane/volumes.go
  (k8s-certs, ca-certs and, on a Debian/Ubuntu host, etc-ca-certificates,
  usr-share-ca-certificates, usr-local-share-ca-certificates; flexvolume-dir and the
  component kubeconfigs);
- phases/etcd/local.go GetEtcdPodSpec and getEtcdCommand (etcd >= 3.6 flags);
- util/staticpod/utils.go ComponentPod (priority 2000001000, system-node-critical,
  seccomp RuntimeDefault), LivenessProbe (10/15/8/10), ReadinessProbe (0/15/3/1),
  StartupProbe (failureThreshold = 240 s / 10 s), probes on the named port
  `probe-port` with a matching containerPort, GetEtcdProbeEndpoint;
- util.ArgumentsToCommand: flags sorted by name, `--name=value`.
The YAML is what sigs.k8s.io/yaml produces: keys sorted, sequences not indented, then
`status: {}`. Fixtures for breaks are rendered from here, never hand-written.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import yaml

PROBE_PORT = "probe-port"
STARTUP_TIMEOUT_SECONDS = 240  # kubeadm's ControlPlaneComponentHealthCheck default (4m)
ETCD_METRICS_PORT = 2381


@dataclass(frozen=True)
class KubeadmConfig:
    """The ClusterConfiguration values the manifests depend on."""

    node_name: str = "blue-control-plane-1"
    advertise_address: str = "10.254.0.1"
    bind_port: int = 6443
    kubernetes_version: str = "v1.34.1"
    etcd_image_tag: str = "3.6.4-0"
    pod_subnet: str = "10.244.0.0/16"
    service_subnet: str = "10.96.0.0/12"
    dns_domain: str = "cluster.local"
    cluster_name: str = "kubernetes"
    etcd_client_scheme: str = "https"
    """http for a sandbox etcd without TLS (the flags change accordingly)."""
    etcd_client_port: int = 2379
    etcd_peer_port: int = 2380
    etcd_metrics_port: int = ETCD_METRICS_PORT
    etcd_data_dir: str = "/var/lib/etcd"


def _probe(
    host: str, path: str, scheme: str, *, delay: int, failure: int, period: int
) -> dict[str, Any]:
    return {
        "failureThreshold": failure,
        "httpGet": {"host": host, "path": path, "port": PROBE_PORT, "scheme": scheme},
        "initialDelaySeconds": delay,
        "periodSeconds": period,
        "timeoutSeconds": 15,
    }


def _liveness(host: str, path: str, scheme: str) -> dict[str, Any]:
    return _probe(host, path, scheme, delay=10, failure=8, period=10)


def _readiness(host: str, path: str, scheme: str) -> dict[str, Any]:
    probe = _probe(host, path, scheme, delay=0, failure=3, period=1)
    del probe["initialDelaySeconds"]  # zero: omitted by omitempty
    return probe


def _startup(host: str, path: str, scheme: str) -> dict[str, Any]:
    return _probe(
        host, path, scheme, delay=10, failure=math.ceil(STARTUP_TIMEOUT_SECONDS / 10), period=10
    )


def _command(binary: str, args: dict[str, str]) -> list[str]:
    return [binary, *(f"--{k}={args[k]}" for k in sorted(args))]


def _host_path(name: str, path: str, kind: str) -> dict[str, Any]:
    return {"hostPath": {"path": path, "type": kind}, "name": name}


def _mount(name: str, path: str, read_only: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"mountPath": path, "name": name}
    if read_only:
        out["readOnly"] = True
    return out


CA_VOLUMES = [
    ("ca-certs", "/etc/ssl/certs"),
    ("etc-ca-certificates", "/etc/ca-certificates"),
    ("usr-local-share-ca-certificates", "/usr/local/share/ca-certificates"),
    ("usr-share-ca-certificates", "/usr/share/ca-certificates"),
]


def _pod(
    name: str,
    container: dict[str, Any],
    volumes: list[tuple[str, str, str, bool]],
    annotations: dict[str, str] | None = None,
) -> dict[str, Any]:
    container["volumeMounts"] = [_mount(n, p, ro) for n, p, _, ro in sorted(volumes)]
    meta: dict[str, Any] = {
        "labels": {"component": name, "tier": "control-plane"},
        "name": name,
        "namespace": "kube-system",
    }
    if annotations:
        meta["annotations"] = annotations
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": meta,
        "spec": {
            "containers": [container],
            "hostNetwork": True,
            "priority": 2000001000,
            "priorityClassName": "system-node-critical",
            "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
            "volumes": [_host_path(n, p, t) for n, p, t, _ in sorted(volumes)],
        },
        "status": {},
    }


def _container(
    name: str, image: str, command: list[str], port: int, cpu: str, **probes: dict[str, Any]
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "command": command,
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "name": name,
        "ports": [{"containerPort": port, "name": PROBE_PORT, "protocol": "TCP"}],
        "resources": {"requests": {"cpu": cpu}},
    }
    out.update(probes)
    return out


def kube_apiserver(cfg: KubeadmConfig) -> dict[str, Any]:
    """The kube-apiserver static pod."""
    pki = "/etc/kubernetes/pki"
    etcd = f"{cfg.etcd_client_scheme}://127.0.0.1:{cfg.etcd_client_port}"
    args = {
        "advertise-address": cfg.advertise_address,
        "allow-privileged": "true",
        "authorization-mode": "Node,RBAC",
        "client-ca-file": f"{pki}/ca.crt",
        "enable-admission-plugins": "NodeRestriction",
        "enable-bootstrap-token-auth": "true",
        "etcd-cafile": f"{pki}/etcd/ca.crt",
        "etcd-certfile": f"{pki}/apiserver-etcd-client.crt",
        "etcd-keyfile": f"{pki}/apiserver-etcd-client.key",
        "etcd-servers": etcd,
        "kubelet-client-certificate": f"{pki}/apiserver-kubelet-client.crt",
        "kubelet-client-key": f"{pki}/apiserver-kubelet-client.key",
        "kubelet-preferred-address-types": "InternalIP,ExternalIP,Hostname",
        "proxy-client-cert-file": f"{pki}/front-proxy-client.crt",
        "proxy-client-key-file": f"{pki}/front-proxy-client.key",
        "requestheader-allowed-names": "front-proxy-client",
        "requestheader-client-ca-file": f"{pki}/front-proxy-ca.crt",
        "requestheader-extra-headers-prefix": "X-Remote-Extra-",
        "requestheader-group-headers": "X-Remote-Group",
        "requestheader-username-headers": "X-Remote-User",
        "secure-port": str(cfg.bind_port),
        "service-account-issuer": f"https://kubernetes.default.svc.{cfg.dns_domain}",
        "service-account-key-file": f"{pki}/sa.pub",
        "service-account-signing-key-file": f"{pki}/sa.key",
        "service-cluster-ip-range": cfg.service_subnet,
        "tls-cert-file": f"{pki}/apiserver.crt",
        "tls-private-key-file": f"{pki}/apiserver.key",
    }
    host = cfg.advertise_address
    container = _container(
        "kube-apiserver",
        f"registry.k8s.io/kube-apiserver:{cfg.kubernetes_version}",
        _command("kube-apiserver", args),
        cfg.bind_port,
        "250m",
        livenessProbe=_liveness(host, "/livez", "HTTPS"),
        readinessProbe=_readiness(host, "/readyz", "HTTPS"),
        startupProbe=_startup(host, "/livez", "HTTPS"),
    )
    volumes = [(n, p, "DirectoryOrCreate", True) for n, p in CA_VOLUMES]
    volumes.append(("k8s-certs", pki, "DirectoryOrCreate", True))
    return _pod(
        "kube-apiserver",
        container,
        volumes,
        {
            "kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint": (
                f"{cfg.advertise_address}:{cfg.bind_port}"
            )
        },
    )


def kube_controller_manager(cfg: KubeadmConfig) -> dict[str, Any]:
    """The kube-controller-manager static pod."""
    pki = "/etc/kubernetes/pki"
    kubeconfig = "/etc/kubernetes/controller-manager.conf"
    args = {
        "allocate-node-cidrs": "true",
        "authentication-kubeconfig": kubeconfig,
        "authorization-kubeconfig": kubeconfig,
        "bind-address": "127.0.0.1",
        "client-ca-file": f"{pki}/ca.crt",
        "cluster-cidr": cfg.pod_subnet,
        "cluster-name": cfg.cluster_name,
        "cluster-signing-cert-file": f"{pki}/ca.crt",
        "cluster-signing-key-file": f"{pki}/ca.key",
        "controllers": "*,bootstrapsigner,tokencleaner",
        "kubeconfig": kubeconfig,
        "leader-elect": "true",
        "requestheader-client-ca-file": f"{pki}/front-proxy-ca.crt",
        "root-ca-file": f"{pki}/ca.crt",
        "service-account-private-key-file": f"{pki}/sa.key",
        "service-cluster-ip-range": cfg.service_subnet,
        "use-service-account-credentials": "true",
    }
    container = _container(
        "kube-controller-manager",
        f"registry.k8s.io/kube-controller-manager:{cfg.kubernetes_version}",
        _command("kube-controller-manager", args),
        10257,
        "200m",
        livenessProbe=_liveness("127.0.0.1", "/healthz", "HTTPS"),
        startupProbe=_startup("127.0.0.1", "/healthz", "HTTPS"),
    )
    volumes = [(n, p, "DirectoryOrCreate", True) for n, p in CA_VOLUMES]
    volumes += [
        (
            "flexvolume-dir",
            "/usr/libexec/kubernetes/kubelet-plugins/volume/exec",
            "DirectoryOrCreate",
            False,
        ),
        ("k8s-certs", pki, "DirectoryOrCreate", True),
        ("kubeconfig", kubeconfig, "FileOrCreate", True),
    ]
    return _pod("kube-controller-manager", container, volumes)


def kube_scheduler(cfg: KubeadmConfig) -> dict[str, Any]:
    """The kube-scheduler static pod."""
    kubeconfig = "/etc/kubernetes/scheduler.conf"
    args = {
        "authentication-kubeconfig": kubeconfig,
        "authorization-kubeconfig": kubeconfig,
        "bind-address": "127.0.0.1",
        "kubeconfig": kubeconfig,
        "leader-elect": "true",
    }
    container = _container(
        "kube-scheduler",
        f"registry.k8s.io/kube-scheduler:{cfg.kubernetes_version}",
        _command("kube-scheduler", args),
        10259,
        "100m",
        livenessProbe=_liveness("127.0.0.1", "/livez", "HTTPS"),
        readinessProbe=_readiness("127.0.0.1", "/readyz", "HTTPS"),
        startupProbe=_startup("127.0.0.1", "/livez", "HTTPS"),
    )
    return _pod("kube-scheduler", container, [("kubeconfig", kubeconfig, "FileOrCreate", True)])


def etcd(cfg: KubeadmConfig) -> dict[str, Any]:
    """The etcd static pod (a first member: initial-cluster is itself)."""
    scheme = cfg.etcd_client_scheme
    pki = "/etc/kubernetes/pki/etcd"
    client = f"{scheme}://{cfg.advertise_address}:{cfg.etcd_client_port}"
    peer = f"{scheme}://{cfg.advertise_address}:{cfg.etcd_peer_port}"
    args = {
        "advertise-client-urls": client,
        "data-dir": cfg.etcd_data_dir,
        "feature-gates": "InitialCorruptCheck=true",
        "initial-advertise-peer-urls": peer,
        "initial-cluster": f"{cfg.node_name}={peer}",
        "listen-client-urls": f"{scheme}://127.0.0.1:{cfg.etcd_client_port},{client}",
        "listen-metrics-urls": f"http://127.0.0.1:{cfg.etcd_metrics_port}",
        "listen-peer-urls": peer,
        "name": cfg.node_name,
        "snapshot-count": "10000",
        "watch-progress-notify-interval": "5s",
    }
    if scheme == "https":
        args.update(
            {
                "cert-file": f"{pki}/server.crt",
                "client-cert-auth": "true",
                "key-file": f"{pki}/server.key",
                "peer-cert-file": f"{pki}/peer.crt",
                "peer-client-cert-auth": "true",
                "peer-key-file": f"{pki}/peer.key",
                "peer-trusted-ca-file": f"{pki}/ca.crt",
                "trusted-ca-file": f"{pki}/ca.crt",
            }
        )
    container = _container(
        "etcd",
        f"registry.k8s.io/etcd:{cfg.etcd_image_tag}",
        _command("etcd", args),
        cfg.etcd_metrics_port,
        "100m",
        livenessProbe=_liveness("127.0.0.1", "/livez", "HTTP"),
        readinessProbe=_readiness("127.0.0.1", "/readyz", "HTTP"),
        startupProbe=_startup("127.0.0.1", "/readyz", "HTTP"),
    )
    container["resources"]["requests"]["memory"] = "100Mi"
    volumes = [
        ("etcd-certs", pki, "DirectoryOrCreate", False),
        ("etcd-data", cfg.etcd_data_dir, "DirectoryOrCreate", False),
    ]
    return _pod(
        "etcd",
        container,
        volumes,
        {"kubeadm.kubernetes.io/etcd.advertise-client-urls": client},
    )


def to_yaml(pod: dict[str, Any]) -> str:
    """The manifest text as kubeadm writes it."""
    return yaml.safe_dump(pod, sort_keys=True, default_flow_style=False)


def manifests(cfg: KubeadmConfig | None = None) -> dict[str, str]:
    """File name under /etc/kubernetes/manifests -> text, for one control plane."""
    cfg = cfg or KubeadmConfig()
    return {
        "kube-apiserver.yaml": to_yaml(kube_apiserver(cfg)),
        "kube-controller-manager.yaml": to_yaml(kube_controller_manager(cfg)),
        "kube-scheduler.yaml": to_yaml(kube_scheduler(cfg)),
        "etcd.yaml": to_yaml(etcd(cfg)),
    }
