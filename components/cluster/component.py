"""The Cluster component: PKI, bootstrap token and a kubeadm cluster bootstrapped over SSH.

Every node runs its node-local phases (10..40) as soon as its machine answers SSH; only
the join waits for the API. Secrets reach nodes on stdin, with logging off.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random
import pulumi_tls as tls
from pulumi_command import remote

from components.cluster.cilium import CiliumSpec
from components.cluster.kubeadm_config import API_SERVER_PORT, ClusterSpec, NodeSpec
from components.cluster.kubeconfig import external_kubeconfig
from components.cluster.kubernetes_version import KubernetesVersion
from components.cluster.node_files import (
    SECRET_FILES,
    ClusterPki,
    ClusterSecrets,
    cluster_file_names,
    render_cluster_files,
    render_prep_files,
)
from components.cluster.pki import bootstrap_token_from_random
from components.handles import ClusterHandle, NodeHandle
from components.machines.machine import root_shell, ssh_connection
from components.nodes import NodeRole, NodeSlot
from components.workload.goal_check import render_goal_check

TYPE = "klustered:cluster:Cluster"
CA_VALIDITY_HOURS = 10 * 365 * 24
WAIT_FOR_SSH = "cloud-init status --wait >/dev/null 2>&1 || true"
"""The first command on a node: SSH answers and cloud-init's first boot (apt) is done."""


class NodePhaseArgs(TypedDict):
    """An extra bootstrap phase a layer adds to a node (the mesh, for example)."""

    file: str
    """The phase's file name, `NN-name.sh` (also its name in the offline plan)."""
    script: pulumi.Input[str]
    """The rendered script, sent on stdin."""
    secret: bool
    """True when the script holds a secret: logging off, outputs secret."""


class ClusterNodeArgs(TypedDict):
    """One machine of the cluster."""

    slot: NodeSlot
    public_ip: pulumi.Input[str]
    """Where SSH and the operator reach the node (also in the API certificate's SANs)."""
    cluster_ip: pulumi.Input[str]
    """The address kubelet, etcd and the API use: the mesh address, or the private one."""
    ssh_user: str
    machine: NotRequired[pulumi.Resource]
    """The machine resource: commands are deleted with it (no SSH to a vanished host)."""
    extra_phases: NotRequired[list[NodePhaseArgs]]
    """Phases run after the packages and before kubeadm (mesh set-up)."""


class ClusterArgs(TypedDict):
    """A team's cluster: version, ranges, machines and the SSH key that reaches them."""

    team: str
    kubernetes_version: str
    """`1.NN` (latest patch) or `1.NN.P`."""
    pod_cidr: str
    service_cidr: str
    nodes: list[ClusterNodeArgs]
    ssh_private_key: pulumi.Input[str]
    """The episode's SSH private key (secret)."""
    cilium_mtu: NotRequired[int]
    """Cilium's MTU; 0 or absent lets Cilium detect it (set it to the mesh MTU)."""
    dns_names: NotRequired[list[str]]
    """Extra names for the API server certificate."""
    api_dns_name: NotRequired[str]
    """The API's public DNS name (`api.<team>.<stack>.<domain>`): in the certificate's SANs
    and the server of the kubeconfig output, so guests use the name, not an address."""


def api_endpoint_name(team: str) -> str:
    """The control-plane endpoint host name; every node resolves it through /etc/hosts."""
    return f"api.{team}.klustered.internal"


def _validate(args: ClusterArgs) -> list[NodeSlot]:
    slots = [n["slot"] for n in args["nodes"]]
    team = args["team"]
    if not slots:
        raise ValueError(f"cluster {team}: no nodes")
    if any(s.team != team for s in slots):
        raise ValueError(f"cluster {team}: every node must belong to team {team}")
    names = [s.name for s in slots]
    if len(set(names)) != len(names):
        raise ValueError(f"cluster {team}: node names repeat")
    first = NodeSlot(team, NodeRole.CONTROL_PLANE, 1)
    if first not in slots:
        raise ValueError(f"cluster {team}: {first.name} is required")
    KubernetesVersion.parse(args["kubernetes_version"])
    for cidr in (args["pod_cidr"], args["service_cidr"]):
        ipaddress.IPv4Network(cidr, strict=True)
    return slots


class Cluster(pulumi.ComponentResource):
    """A kubeadm cluster on the given machines, its admin kubeconfig and a provider for it."""

    api_endpoint: pulumi.Output[str]
    """https://<api_dns_name or control-plane-1's public address>:6443."""
    kubeconfig: pulumi.Output[str]
    """The admin kubeconfig pointed at `api_endpoint` (secret)."""
    provider: k8s.Provider
    handle: ClusterHandle
    ready: remote.Command
    """The readiness gate: API /readyz answers and every node is Ready."""
    rendered_files: dict[str, pulumi.Output[str]]
    """`<node>/<file>` for the offline plan."""

    def __init__(
        self, name: str, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, {}, opts)
        slots = _validate(args)
        team = args["team"]
        version = KubernetesVersion.parse(args["kubernetes_version"])
        by_name = {n["slot"].name: n for n in args["nodes"]}
        first = NodeSlot(team, NodeRole.CONTROL_PLANE, 1).name
        child = pulumi.ResourceOptions(parent=self)
        self.rendered_files = {}

        secrets = self._secrets(name, child)
        key = pulumi.Output.secret(args["ssh_private_key"])
        api_dns_name = args.get("api_dns_name")
        dns_names = [*args.get("dns_names", []), *([api_dns_name] if api_dns_name else [])]

        control_plane_ips = [
            pulumi.Output.from_input(n["public_ip"])
            for n in args["nodes"]
            if n["slot"].role == NodeRole.CONTROL_PLANE
        ]
        first_cluster_ip = pulumi.Output.from_input(by_name[first]["cluster_ip"])
        first_public_ip = pulumi.Output.from_input(by_name[first]["public_ip"])

        def cluster_spec(public_ips: Sequence[str]) -> ClusterSpec:
            return ClusterSpec(
                name=team,
                version=version,
                control_plane_endpoint=api_endpoint_name(team),
                cert_sans=[*public_ips, *dns_names],
                pod_cidr=args["pod_cidr"],
                service_cidr=args["service_cidr"],
            )

        # Node-local phases: each node starts as soon as its own machine answers.
        last: dict[str, pulumi.Resource] = {}
        for node in args["nodes"]:
            slot = node["slot"]
            connection = ssh_connection(node["public_ip"], node["ssh_user"], key)
            runner = _NodeCommands(self, f"{name}-{slot.name}", node, connection)
            wait = runner.command("wait-for-ssh", WAIT_FOR_SSH, None, secret=False, after=[])
            previous: pulumi.Resource = wait
            # Extra phases slot in by their number (42-mesh runs between 40 and 45).
            phases: list[NodePhaseArgs] = [
                {"file": file, "script": text, "secret": False}
                for file, text in render_prep_files(slot, version).items()
            ]
            phases += node.get("extra_phases", [])
            for phase in sorted(phases, key=lambda p: p["file"]):
                previous = runner.phase(
                    phase["file"], phase["script"], secret=phase["secret"], after=[previous]
                )
            last[slot.name] = previous

        # Cluster phases: init on control-plane-1, joins after it (control planes in turn).
        expected = len(slots)
        cluster_values = pulumi.Output.all(
            public_ips=pulumi.Output.all(*control_plane_ips),
            api_address=first_cluster_ip,
            secrets=secrets,
        )
        joins: list[pulumi.Resource] = []
        init: pulumi.Resource | None = None
        cilium: pulumi.Resource | None = None
        ordered = sorted(
            args["nodes"], key=lambda n: (n["slot"].role != NodeRole.CONTROL_PLANE, n["slot"].index)
        )
        previous_cp_join: pulumi.Resource | None = None
        handles: list[NodeHandle] = []
        cilium_mtu = args.get("cilium_mtu", 0)
        for node in ordered:
            slot = node["slot"]
            connection = ssh_connection(node["public_ip"], node["ssh_user"], key)
            runner = _NodeCommands(self, f"{name}-{slot.name}", node, connection)

            def render(values: dict[str, Any], node: ClusterNodeArgs = node) -> dict[str, str]:
                cluster_ip = values["node_ip"]
                return render_cluster_files(
                    cluster_spec(values["public_ips"]),
                    node["slot"],
                    NodeSpec(
                        name=node["slot"].name,
                        node_ip=cluster_ip,
                        advertise_address=cluster_ip,
                        untainted_control_plane=expected == 1,
                    ),
                    values["secrets"],
                    CiliumSpec(
                        api_host=values["api_address"],
                        api_port=API_SERVER_PORT,
                        mtu=cilium_mtu,
                        pod_cidr=args["pod_cidr"],
                    ),
                    expected_nodes=expected,
                    api_endpoint_address=values["api_address"],
                )

            files = pulumi.Output.all(
                node_ip=node["cluster_ip"],
                public_ips=cluster_values["public_ips"],
                api_address=cluster_values["api_address"],
                secrets=cluster_values["secrets"],
            ).apply(render)
            for file in cluster_file_names(slot, with_endpoint=True):
                self.rendered_files[f"{slot.name}/{file}"] = _pick(files, file)

            waits: list[pulumi.Resource] = [last[slot.name]]
            endpoint = runner.phase(
                "45-api-endpoint.sh", _pick(files, "45-api-endpoint.sh"), secret=False, after=waits
            )
            if slot.name == first:
                init = runner.phase(
                    "50-kubeadm-init.sh",
                    _pick(files, "50-kubeadm-init.sh"),
                    secret=True,
                    after=[endpoint],
                )
                cilium = runner.phase(
                    "60-cilium.sh", _pick(files, "60-cilium.sh"), secret=False, after=[init]
                )
                node_ready: pulumi.Resource = cilium
            else:
                assert init is not None  # control-plane-1 sorts first
                after = [endpoint, init]
                if slot.role == NodeRole.CONTROL_PLANE and previous_cp_join is not None:
                    after.append(previous_cp_join)
                join = runner.phase(
                    "50-kubeadm-join.sh",
                    _pick(files, "50-kubeadm-join.sh"),
                    secret=True,
                    after=after,
                )
                if slot.role == NodeRole.CONTROL_PLANE:
                    previous_cp_join = join
                joins.append(join)
                node_ready = join
            handles.append(
                NodeHandle(
                    slot=slot,
                    connection=connection,
                    public_ip=pulumi.Output.from_input(node["public_ip"]),
                    cluster_ip=pulumi.Output.from_input(node["cluster_ip"]),
                    ready=node_ready,
                    shell=root_shell(node["ssh_user"]),
                    machine=node.get("machine"),
                )
            )

        assert cilium is not None  # control-plane-1 sorts first
        first_node = by_name[first]
        first_connection = ssh_connection(first_node["public_ip"], first_node["ssh_user"], key)
        first_runner = _NodeCommands(self, f"{name}-{first}", first_node, first_connection)
        self.ready = first_runner.phase(
            "70-ready.sh",
            self.rendered_files[f"{first}/70-ready.sh"],
            secret=False,
            after=[cilium, *joins],
        )
        admin = first_runner.phase(
            "80-admin-kubeconfig.sh",
            self.rendered_files[f"{first}/80-admin-kubeconfig.sh"],
            secret=True,
            after=[self.ready],
        )
        address_endpoint = first_public_ip.apply(lambda ip: f"https://{ip}:{API_SERVER_PORT}")
        self.api_endpoint = (
            pulumi.Output.from_input(f"https://{api_dns_name}:{API_SERVER_PORT}")
            if api_dns_name
            else address_endpoint
        )
        self.kubeconfig = pulumi.Output.secret(
            pulumi.Output.all(admin.stdout, self.api_endpoint).apply(
                lambda v: external_kubeconfig(v[0], v[1]) if v[0] else ""
            )
        )
        # The provider talks to the address: the name may not resolve yet in this update.
        provider_kubeconfig: pulumi.Output[str] = pulumi.Output.secret(
            pulumi.Output.all(admin.stdout, address_endpoint).apply(
                lambda v: external_kubeconfig(v[0], v[1]) if v[0] else ""
            )
        )
        self.provider = k8s.Provider(
            f"{name}-provider",
            kubeconfig=provider_kubeconfig,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.ready]),
        )
        goal_check = first_cluster_ip.apply(lambda ip: render_goal_check(ip, wait_seconds=0))
        self.handle = ClusterHandle(
            team=team,
            nodes=handles,
            kubeconfig=self.kubeconfig,
            goal_check=goal_check,
            ready=[self.ready],
        )
        self.register_outputs(
            {
                "apiEndpoint": self.api_endpoint,
                "kubeconfig": self.kubeconfig,
                "nodes": [n.name for n in handles],
            }
        )

    def _secrets(self, name: str, child: pulumi.ResourceOptions) -> pulumi.Output[ClusterSecrets]:
        """CAs, service-account key, bootstrap token and certificate key, all secret."""

        def ca(suffix: str, common_name: str) -> tuple[tls.PrivateKey, tls.SelfSignedCert]:
            key = tls.PrivateKey(
                f"{name}-{suffix}-key", algorithm="ECDSA", ecdsa_curve="P256", opts=child
            )
            cert = tls.SelfSignedCert(
                f"{name}-{suffix}",
                private_key_pem=key.private_key_pem,
                is_ca_certificate=True,
                validity_period_hours=CA_VALIDITY_HOURS,
                allowed_uses=[
                    "cert_signing",
                    "crl_signing",
                    "digital_signature",
                    "key_encipherment",
                ],
                subject=tls.SelfSignedCertSubjectArgs(common_name=common_name),
                opts=child,
            )
            return key, cert

        ca_key, ca_cert = ca("ca", "kubernetes")
        fp_key, fp_cert = ca("front-proxy-ca", "front-proxy-ca")
        etcd_key, etcd_cert = ca("etcd-ca", "etcd-ca")
        sa_key = tls.PrivateKey(f"{name}-sa-key", algorithm="ECDSA", ecdsa_curve="P256", opts=child)
        token = random.RandomPassword(
            f"{name}-bootstrap-token", length=22, upper=False, special=False, opts=child
        )
        cert_key = random.RandomBytes(f"{name}-certificate-key", length=32, opts=child)
        combined = pulumi.Output.all(
            ca_cert.cert_pem,
            ca_key.private_key_pem,
            fp_cert.cert_pem,
            fp_key.private_key_pem,
            etcd_cert.cert_pem,
            etcd_key.private_key_pem,
            sa_key.private_key_pem,
            sa_key.public_key_pem,
            token.result,
            cert_key.hex,
        ).apply(
            lambda v: ClusterSecrets(
                pki=ClusterPki(
                    ca_cert=v[0],
                    ca_key=v[1],
                    front_proxy_ca_cert=v[2],
                    front_proxy_ca_key=v[3],
                    etcd_ca_cert=v[4],
                    etcd_ca_key=v[5],
                    sa_key=v[6],
                    sa_pub=v[7],
                ),
                bootstrap_token=bootstrap_token_from_random(v[8]),
                certificate_key=v[9],
            )
        )
        return pulumi.Output.secret(combined)


class _NodeCommands:
    """Remote commands on one node, named `<cluster>-<node>-<step>` and parented to the cluster."""

    def __init__(
        self,
        cluster: Cluster,
        prefix: str,
        node: ClusterNodeArgs,
        connection: remote.ConnectionArgs,
    ) -> None:
        self.cluster, self.prefix, self.node, self.connection = cluster, prefix, node, connection

    def phase(
        self,
        file: str,
        script: pulumi.Input[str],
        *,
        secret: bool,
        after: list[pulumi.Resource],
    ) -> remote.Command:
        """Run a rendered phase as root, its script on stdin (secret: logging off)."""
        if not secret:
            self.cluster.rendered_files.setdefault(
                f"{self.node['slot'].name}/{file}", pulumi.Output.from_input(script)
            )
        return self.command(
            file.removesuffix(".sh"),
            root_shell(self.node["ssh_user"]),
            pulumi.Output.secret(script) if secret else script,
            secret=secret,
            after=after,
        )

    def command(
        self,
        step: str,
        create: str,
        stdin: pulumi.Input[str] | None,
        *,
        secret: bool,
        after: list[pulumi.Resource],
    ) -> remote.Command:
        """One remote command; removed with its machine (no SSH to a vanished host)."""
        return remote.Command(
            f"{self.prefix}-{step}",
            connection=self.connection,
            create=create,
            stdin=stdin,
            logging=remote.Logging.NONE if secret else remote.Logging.STDOUT_AND_STDERR,
            add_previous_output_in_env=False,
            opts=pulumi.ResourceOptions(
                parent=self.cluster,
                depends_on=after,
                deleted_with=self.node.get("machine"),
                additional_secret_outputs=["stdout", "stderr"] if secret else None,
            ),
        )


def _pick(files: pulumi.Output[dict[str, str]], file: str) -> pulumi.Output[str]:
    """One rendered file; secret when it holds a secret, plain otherwise."""
    picked = files.apply(lambda f: f[file])
    return pulumi.Output.secret(picked) if file in SECRET_FILES else pulumi.Output.unsecret(picked)
