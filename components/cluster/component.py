"""The Cluster component: PKI, bootstrap token and a kubeadm cluster bootstrapped over SSH.

Every node runs its node-local phases (10..40) as soon as its machine answers SSH; only
the join waits for the API. Secrets reach nodes on stdin, with logging off. Every node's
phases carry its machine's id as a trigger, so a replaced machine runs them all again.
A live control plane (the node's "keeper", see membership.py) makes sure the bootstrap
token is valid while a node joins, and takes the node out of the cluster (drain, delete,
etcd member remove) when it leaves the stack.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from collections.abc import Sequence
from typing import Any, NotRequired, TypedDict

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random
import pulumi_tls as tls
from pulumi_command import remote

from components.cluster.cilium import CiliumSpec, cilium_version_for
from components.cluster.haproxy import LOCAL_API_HOST, LOCAL_API_PORT
from components.cluster.host_firewall import HostFirewallSpec
from components.cluster.kubeadm_config import (
    API_SERVER_PORT,
    DEFAULT_POD_CIDR,
    DEFAULT_SERVICE_CIDR,
    ClusterSpec,
    NodeSpec,
)
from components.cluster.kubeconfig import external_kubeconfig
from components.cluster.kubernetes_version import DEFAULT_VERSION, KubernetesVersion
from components.cluster.membership import (
    keeper_of,
    leave_command,
    render_join_token_step,
    render_leave_step,
)
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
_DNS_NAME = re.compile(r"^(?=.{1,253}\Z)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\Z")


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
    """The machine resource: commands are deleted with it (no SSH to a vanished host), and
    when it is a custom resource its id triggers every phase again on a replaced machine."""
    keeps_host: NotRequired[bool]
    """True when the host outlives the stack (a machine the host already had): what is
    layered on the node later (breaks) undoes itself when the node leaves."""
    extra_phases: NotRequired[list[NodePhaseArgs]]
    """Phases run after the packages and before kubeadm (mesh set-up)."""


class ClusterArgs(TypedDict):
    """A team's cluster: its machines and the SSH key that reaches them (required), its
    version and address ranges (optional: 1.34, 10.244.0.0/16 and 10.96.0.0/12)."""

    team: str
    """The team's name (a DNS label); every node's slot belongs to it."""
    nodes: list[ClusterNodeArgs]
    """Every machine; `<team>-control-plane-1` is required."""
    ssh_private_key: pulumi.Input[str]
    """The episode's SSH private key (secret)."""
    kubernetes_version: NotRequired[str]
    """`1.NN` (latest patch) or `1.NN.P`; default DEFAULT_VERSION (1.34)."""
    pod_cidr: NotRequired[str]
    """Default DEFAULT_POD_CIDR (10.244.0.0/16)."""
    service_cidr: NotRequired[str]
    """Default DEFAULT_SERVICE_CIDR (10.96.0.0/12)."""
    cilium_mtu: NotRequired[int]
    """Cilium's MTU; 0 or absent lets Cilium detect it (set it to the mesh MTU)."""
    dns_names: NotRequired[list[str]]
    """Extra names for the API server certificate."""
    api_dns_name: NotRequired[str]
    """A DNS name resolving to every control plane (`api.<team>.<stack>.<domain>`): it goes
    into the API certificate and the admin kubeconfig output uses https://<name>:6443.
    The provider keeps control-plane-1's address (the name may not resolve yet during the
    update that creates it). Without it both use control-plane-1's public address."""
    mesh_port: NotRequired[int]
    """The mesh's UDP port when the cluster addresses are on the mesh: the host firewall
    opens it on the public interface. Absent: the cluster addresses are underlay addresses,
    and the firewall lets teammates in from them."""
    host_firewall: NotRequired[bool]
    """Default-drop on each node's public interface (phase 43); default True."""


def _pod_cidr(args: ClusterArgs) -> str:
    return args.get("pod_cidr", DEFAULT_POD_CIDR)


def _service_cidr(args: ClusterArgs) -> str:
    return args.get("service_cidr", DEFAULT_SERVICE_CIDR)


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
    try:
        version = KubernetesVersion.parse(args.get("kubernetes_version", DEFAULT_VERSION))
        cilium_version_for(version.minor)
    except ValueError as exc:
        raise ValueError(f"cluster {team}: kubernetes_version: {exc}") from None
    for cidr in (_pod_cidr(args), _service_cidr(args)):
        ipaddress.IPv4Network(cidr, strict=True)
    dns_name = args.get("api_dns_name")
    if dns_name is not None and not _DNS_NAME.match(dns_name):
        raise ValueError(f"cluster {team}: api_dns_name {dns_name!r} is not a DNS name")
    port = args.get("mesh_port")
    if port is not None and not 1 <= port <= 65535:
        raise ValueError(f"cluster {team}: mesh_port {port} is not a UDP port")
    return slots


def _join_token_script(slot: NodeSlot, secrets: ClusterSecrets) -> str:
    return render_join_token_step(slot, bootstrap_token=secrets.bootstrap_token)


def _machine_id(node: ClusterNodeArgs) -> list[Any]:
    """The trigger that replaces a node's commands when its machine is replaced."""
    machine = node.get("machine")
    return [machine.id] if isinstance(machine, pulumi.CustomResource) else []


class Cluster(pulumi.ComponentResource):
    """A kubeadm cluster on the given machines, its admin kubeconfig and a provider for it."""

    api_endpoint: pulumi.Output[str]
    """https://<api_dns_name>:6443, else https://<control-plane-1 public address>:6443."""
    kubeconfig: pulumi.Output[str]
    """The admin kubeconfig pointed at `api_endpoint` (secret)."""
    provider: k8s.Provider
    handle: ClusterHandle
    init: remote.Command
    """kubeadm on control-plane-1: what lives inside the cluster is deleted with it."""
    ready: remote.Command
    """The readiness gate: API /readyz answers and every expected node is Ready."""
    rendered_files: dict[str, pulumi.Output[str]]
    """`<node>/<file>` for the offline plan."""

    def __init__(
        self, name: str, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        """Bootstrap a kubeadm cluster on `args["nodes"]` over SSH.

        Required args: `team`, `nodes` (ClusterNodeArgs: slot, public_ip, cluster_ip,
        ssh_user; optional machine and extra_phases) and `ssh_private_key`. Optional:
        `kubernetes_version` (default "1.34"), `pod_cidr` (default "10.244.0.0/16"),
        `service_cidr` (default "10.96.0.0/12"), `cilium_mtu`, `dns_names`,
        `api_dns_name`, `mesh_port` and `host_firewall` (default True). Outputs:
        `api_endpoint`, `kubeconfig` (secret), `provider`, `handle`, `rendered_files`.
        """
        super().__init__(TYPE, name, {}, opts)
        _validate(args)
        team = args["team"]
        version = KubernetesVersion.parse(args.get("kubernetes_version", DEFAULT_VERSION))
        pod_cidr, service_cidr = _pod_cidr(args), _service_cidr(args)
        by_name = {n["slot"].name: n for n in args["nodes"]}
        first = NodeSlot(team, NodeRole.CONTROL_PLANE, 1).name
        child = pulumi.ResourceOptions(parent=self)
        self.rendered_files = {}

        secrets = self._secrets(name, child)
        key = pulumi.Output.secret(args["ssh_private_key"])

        ordered = sorted(
            args["nodes"], key=lambda n: (n["slot"].role != NodeRole.CONTROL_PLANE, n["slot"].index)
        )
        control_plane_nodes = [n for n in ordered if n["slot"].role == NodeRole.CONTROL_PLANE]
        expected = [n["slot"].name for n in ordered]
        no_workers = len(control_plane_nodes) == len(ordered)
        mesh_port = args.get("mesh_port")
        firewall_on = args.get("host_firewall", True)
        dns_name = args.get("api_dns_name")
        cilium_mtu = args.get("cilium_mtu", 0)

        def cluster_spec(public_ips: Sequence[str]) -> ClusterSpec:
            return ClusterSpec(
                name=team,
                version=version,
                control_plane_endpoint=api_endpoint_name(team),
                cert_sans=[
                    *public_ips,
                    *args.get("dns_names", []),
                    *([dns_name] if dns_name else []),
                ],
                pod_cidr=pod_cidr,
                service_cidr=service_cidr,
            )

        connections = {
            n["slot"].name: ssh_connection(n["public_ip"], n["ssh_user"], key) for n in ordered
        }

        def runner(
            node: ClusterNodeArgs, *, for_node: ClusterNodeArgs | None = None
        ) -> _NodeCommands:
            """Commands on `node`; `for_node` when they act for another node (keeper steps)."""
            subject = for_node or node
            return _NodeCommands(
                self,
                f"{name}-{subject['slot'].name}",
                plan_dir=node["slot"].name,
                connection=connections[node["slot"].name],
                shell=root_shell(node["ssh_user"]),
                triggers=_machine_id(subject),
                deleted_with=node.get("machine"),
            )

        # Node-local phases: each node starts as soon as its own machine answers.
        last: dict[str, pulumi.Resource] = {}
        first_command: dict[str, remote.Command] = {}
        for node in ordered:
            slot = node["slot"]
            commands = runner(node)
            wait = commands.command("wait-for-ssh", WAIT_FOR_SSH, None, secret=False, after=[])
            first_command[slot.name] = wait
            previous: pulumi.Resource = wait
            # Extra phases slot in by their number (42-mesh runs between 40 and 43).
            phases: list[NodePhaseArgs] = [
                {"file": file, "script": text, "secret": False}
                for file, text in render_prep_files(slot, version).items()
            ]
            phases += node.get("extra_phases", [])
            for phase in sorted(phases, key=lambda p: p["file"]):
                previous = commands.phase(
                    phase["file"], phase["script"], secret=phase["secret"], after=[previous]
                )
            last[slot.name] = previous

        # Cluster phases: init on control-plane-1, joins after it (control planes in turn).
        cluster_values = pulumi.Output.all(
            public_ips=pulumi.Output.all(*[n["public_ip"] for n in control_plane_nodes]),
            control_planes=pulumi.Output.all(*[n["cluster_ip"] for n in control_plane_nodes]),
            cluster_ips=pulumi.Output.all(*[n["cluster_ip"] for n in ordered]),
            secrets=secrets,
        )
        control_plane_names = [n["slot"].name for n in control_plane_nodes]

        def render(values: dict[str, Any], node: ClusterNodeArgs) -> dict[str, str]:
            cluster_ip = values["node_ip"]
            firewall = (
                HostFirewallSpec(
                    udp_ports=[mesh_port] if mesh_port is not None else [],
                    # On the mesh, teammates arrive on wg0: the public side trusts nobody.
                    trusted_sources=[] if mesh_port is not None else values["cluster_ips"],
                )
                if firewall_on
                else None
            )
            return render_cluster_files(
                cluster_spec(values["public_ips"]),
                node["slot"],
                NodeSpec(
                    name=node["slot"].name,
                    node_ip=cluster_ip,
                    advertise_address=cluster_ip,
                    untainted_control_plane=no_workers,
                ),
                values["secrets"],
                CiliumSpec(
                    api_host=LOCAL_API_HOST,
                    api_port=LOCAL_API_PORT,
                    mtu=cilium_mtu,
                    pod_cidr=pod_cidr,
                    version=cilium_version_for(version.minor),
                ),
                control_planes=list(
                    zip(control_plane_names, values["control_planes"], strict=True)
                ),
                expected_nodes=expected,
                firewall=firewall,
            )

        files_of: dict[str, pulumi.Output[dict[str, str]]] = {}
        endpoint_of: dict[str, pulumi.Resource] = {}
        for node in ordered:
            slot = node["slot"]
            files = pulumi.Output.all(
                node_ip=node["cluster_ip"],
                public_ips=cluster_values["public_ips"],
                control_planes=cluster_values["control_planes"],
                cluster_ips=cluster_values["cluster_ips"],
                secrets=cluster_values["secrets"],
            ).apply(functools.partial(render, node=node))
            files_of[slot.name] = files
            for file in cluster_file_names(slot, with_firewall=firewall_on):
                self.rendered_files[f"{slot.name}/{file}"] = _pick(files, file)
            commands = runner(node)
            previous = last[slot.name]
            access = ["44-api-lb.sh", "45-api-endpoint.sh"]
            for file in ["43-firewall.sh", *access] if firewall_on else access:
                previous = commands.phase(file, _pick(files, file), secret=False, after=[previous])
            endpoint_of[slot.name] = previous

        # Leave steps (see membership.py): created, with no command, before each join, so
        # that the old node of a replaced machine leaves before the new one joins. They are
        # skipped when the whole cluster goes (deleted_with), and control planes leave
        # highest index first.
        leaves: dict[str, remote.Command] = {}
        if len(control_plane_nodes) >= 2 and _machine_id(by_name[first]):
            # control-plane-1 leaves only when its machine is replaced, never when
            # control-plane-2 (its keeper) goes away: skipped whenever that one is deleted.
            keeper_name = keeper_of(by_name[first]["slot"], len(control_plane_nodes))
            assert keeper_name is not None
            leaves[first] = runner(by_name[keeper_name.name], for_node=by_name[first]).leave(
                by_name[first], after=[], deleted_with=first_command[keeper_name.name]
            )

        commands = runner(by_name[first])
        self.init = commands.phase(
            "50-kubeadm-init.sh",
            _pick(files_of[first], "50-kubeadm-init.sh"),
            secret=True,
            after=[endpoint_of[first], *([leaves[first]] if first in leaves else [])],
        )
        cilium = commands.phase(
            "60-cilium.sh", _pick(files_of[first], "60-cilium.sh"), secret=False, after=[self.init]
        )

        previous_leave: remote.Command | None = None
        for node in ordered:
            slot = node["slot"]
            if slot.name == first:
                continue
            keeper = by_name[first]
            leave_after = (
                [previous_leave]
                if previous_leave is not None and slot.role == NodeRole.CONTROL_PLANE
                else []
            )
            leaves[slot.name] = runner(keeper, for_node=node).leave(
                node, after=leave_after, deleted_with=self.init
            )
            if slot.role == NodeRole.CONTROL_PLANE:
                previous_leave = leaves[slot.name]

        joins: dict[str, remote.Command] = {}
        previous_cp_join: pulumi.Resource | None = None
        handles: list[NodeHandle] = []
        for node in ordered:
            slot = node["slot"]
            if slot.name == first:
                node_ready: pulumi.Resource = cilium
            else:
                after: list[pulumi.Resource] = [
                    endpoint_of[slot.name],
                    self.init,
                    leaves[slot.name],
                ]
                if slot.role == NodeRole.CONTROL_PLANE and previous_cp_join is not None:
                    after.append(previous_cp_join)
                join = runner(node).phase(
                    "50-kubeadm-join.sh",
                    _pick(files_of[slot.name], "50-kubeadm-join.sh"),
                    secret=True,
                    after=after,
                )
                if slot.role == NodeRole.CONTROL_PLANE:
                    previous_cp_join = join
                joins[slot.name] = join
                node_ready = join
            handles.append(
                NodeHandle(
                    slot=slot,
                    connection=connections[slot.name],
                    public_ip=pulumi.Output.from_input(node["public_ip"]),
                    cluster_ip=pulumi.Output.from_input(node["cluster_ip"]),
                    ready=node_ready,
                    shell=root_shell(node["ssh_user"]),
                    machine=node.get("machine"),
                    keeps_host=node.get("keeps_host", False),
                )
            )

        # Join-token steps: on the keeper, alongside each join (never before it: a failed
        # join must fail its token step too, so a retry runs both again).
        tokens: list[remote.Command] = []
        for node in ordered:
            slot = node["slot"]
            keeper_slot = keeper_of(slot, len(control_plane_nodes))
            if keeper_slot is None:
                continue
            keeper = by_name[keeper_slot.name]
            keeper_ready = self.init if keeper_slot.name == first else joins[keeper_slot.name]
            script: pulumi.Output[str] = pulumi.Output.secret(
                secrets.apply(functools.partial(_join_token_script, slot))
            )
            self.rendered_files[f"{keeper_slot.name}/join-token-{slot.name}.sh"] = script
            tokens.append(
                runner(keeper, for_node=node).phase(
                    f"join-token-{slot.name}.sh",
                    script,
                    secret=True,
                    after=[keeper_ready, endpoint_of[slot.name]],
                    step="join-token",
                )
            )

        first_commands = runner(by_name[first])
        self.ready = first_commands.phase(
            "70-ready.sh",
            self.rendered_files[f"{first}/70-ready.sh"],
            secret=False,
            after=[cilium, *joins.values(), *tokens],
        )
        admin = first_commands.phase(
            "80-admin-kubeconfig.sh",
            self.rendered_files[f"{first}/80-admin-kubeconfig.sh"],
            secret=True,
            after=[self.ready],
        )
        first_public_ip = pulumi.Output.from_input(by_name[first]["public_ip"])
        address_endpoint = first_public_ip.apply(lambda ip: f"https://{ip}:{API_SERVER_PORT}")
        self.api_endpoint = (
            pulumi.Output.from_input(f"https://{dns_name}:{API_SERVER_PORT}")
            if dns_name
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
        # An unreachable API (machines gone, quorum lost) must not block destroy or updates.
        self.provider = k8s.Provider(
            f"{name}-provider",
            kubeconfig=provider_kubeconfig,
            delete_unreachable=True,
            skip_update_unreachable=True,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.ready]),
        )
        first_cluster_ip = pulumi.Output.from_input(by_name[first]["cluster_ip"])
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
        """CAs, service-account key and bootstrap token, all secret."""

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
            )
        )
        return pulumi.Output.secret(combined)


class _NodeCommands:
    """Remote commands on one node, named `<cluster>-<node>-<step>` and parented to the cluster.

    `prefix` names the node the commands are for; the connection may be another node's
    (a keeper's). `triggers` replace the commands when that node's machine is replaced.
    """

    def __init__(
        self,
        cluster: Cluster,
        prefix: str,
        *,
        plan_dir: str,
        connection: remote.ConnectionArgs,
        shell: str,
        triggers: list[Any],
        deleted_with: pulumi.Resource | None,
    ) -> None:
        self.cluster, self.prefix, self.plan_dir = cluster, prefix, plan_dir
        self.connection, self.shell = connection, shell
        self.triggers, self.deleted_with = triggers, deleted_with

    def phase(
        self,
        file: str,
        script: pulumi.Input[str],
        *,
        secret: bool,
        after: Sequence[pulumi.Resource],
        step: str = "",
    ) -> remote.Command:
        """Run a rendered phase as root, its script on stdin (secret: logging off)."""
        if not secret:
            self.cluster.rendered_files.setdefault(
                f"{self.plan_dir}/{file}", pulumi.Output.from_input(script)
            )
        return self.command(
            step or file.removesuffix(".sh"),
            self.shell,
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
        after: Sequence[pulumi.Resource],
    ) -> remote.Command:
        """One remote command; removed with its machine (no SSH to a vanished host)."""
        return remote.Command(
            f"{self.prefix}-{step}",
            connection=self.connection,
            create=create,
            stdin=stdin,
            triggers=self.triggers or None,
            logging=remote.Logging.NONE if secret else remote.Logging.STDOUT_AND_STDERR,
            add_previous_output_in_env=False,
            opts=pulumi.ResourceOptions(
                parent=self.cluster,
                depends_on=list(after),
                deleted_with=self.deleted_with,
                additional_secret_outputs=["stdout", "stderr"] if secret else None,
            ),
        )

    def leave(
        self,
        node: ClusterNodeArgs,
        *,
        after: Sequence[pulumi.Resource],
        deleted_with: pulumi.Resource,
    ) -> remote.Command:
        """`node`'s leave step on this (keeper) node: nothing on create, leave.sh on delete.

        Deleted before it is replaced, so a replaced machine's old node has left (drained,
        deleted, etcd member removed) before the new machine joins.
        """
        slot = node["slot"]
        script = pulumi.Output.from_input(node["cluster_ip"]).apply(
            lambda ip: render_leave_step(slot, node_address=ip)
        )
        self.cluster.rendered_files[f"{self.plan_dir}/leave-{slot.name}.sh"] = script
        return remote.Command(
            f"{self.prefix}-leave",
            connection=self.connection,
            delete=script.apply(lambda text: leave_command(self.shell, text)),
            triggers=self.triggers or None,
            logging=remote.Logging.STDOUT_AND_STDERR,
            add_previous_output_in_env=False,
            opts=pulumi.ResourceOptions(
                parent=self.cluster,
                depends_on=list(after),
                deleted_with=deleted_with,
                delete_before_replace=True,
            ),
        )


def _pick(files: pulumi.Output[dict[str, str]], file: str) -> pulumi.Output[str]:
    """One rendered file; secret when it holds a secret, plain otherwise."""
    picked = files.apply(lambda f: f[file])
    return pulumi.Output.secret(picked) if file in SECRET_FILES else pulumi.Output.unsecret(picked)
