"""The Workload component: the Klustered app (v1) and its Postgres, through a cluster's provider."""

from __future__ import annotations

from typing import NotRequired, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from components.handles import WorkloadHandle
from components.workload.manifests import (
    Baseline,
    WorkloadSpec,
    workload_handle,
    workload_manifests,
)

TYPE = "klustered:workload:Workload"


class WorkloadArgs(TypedDict):
    """Where the app goes and which images it runs."""

    provider: k8s.Provider
    """The cluster's Kubernetes provider."""
    image: NotRequired[str | None]
    """The v1 app image; default: the baseline's (ghcr.io/rawkodeacademy/klustered:v1 for the
    show, ghcr.io/rawkode-academy/klustered:v1 for KlusteredBench)."""
    postgres_image: NotRequired[str]
    deleted_with: NotRequired[pulumi.Resource]
    """A resource of the cluster (its kubeadm init): destroying the cluster takes the app
    with it, without a call to its (perhaps dead) API."""
    baseline: NotRequired[Baseline]
    """`show` (default) or `klusteredbench`: whose objects the cluster starts with."""


class Workload(pulumi.ComponentResource):
    """Deployment `klustered` (NodePort 30000 -> 666) and its Postgres, in `default`."""

    manifests: k8s.yaml.v2.ConfigGroup
    handle: WorkloadHandle
    """What breaks and the goal check need to know about the app (plain values)."""

    def __init__(
        self, name: str, args: WorkloadArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE, name, {}, opts)
        defaults = WorkloadSpec()
        spec = WorkloadSpec(
            image=args.get("image", defaults.image),
            postgres_image=args.get("postgres_image", defaults.postgres_image),
            baseline=args.get("baseline", defaults.baseline),
        )
        self.handle = workload_handle(spec)
        self.manifests = k8s.yaml.v2.ConfigGroup(
            f"{name}-manifests",
            objs=workload_manifests(spec),
            opts=pulumi.ResourceOptions(
                parent=self,
                providers=[args["provider"]],
                deleted_with=args.get("deleted_with"),
            ),
        )
        self.register_outputs({"image": spec.app_image, "baseline": spec.baseline})
