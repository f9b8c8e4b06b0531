"""Kubernetes manifests for the Klustered app, as plain dicts, in one of two baselines.

`show`: the app as the show runs it.

Taken from the real app (RawkodeAcademy/klustered 000-workload: src/main.rs and
opt/kubernetes/postgresql.yaml; KlusteredBench scenarios/_lib/setup.sh):
- the app listens on 666, serves `<title>{VERSION} | Klustered</title>` and a random row of
  table `quotes (quote, author, link)`; its database DSN is compiled in:
  `host=postgres user=postgres password=postgresql123 dbname=klustered`, so the app takes
  no database env vars and the Service must be called `postgres`;
- VERSION comes from the image, so the Deployment must NOT set it (a v2 image must say v2);
- Postgres seeds the table from /docker-entrypoint-initdb.d/init.sh (a ConfigMap).

`klusteredbench`: exactly the objects KlusteredBench's baseline applies
(rawkode-academy/rawkode-academy projects/klusteredbench/scenarios/_lib/setup.sh): ConfigMap
`postgresql`, Deployment `database` (Recreate, label app=postgresql), Service `postgres`,
Deployment `klustered` (Recreate, no probe) and the NodePort Service `klustered`, with the
image `ghcr.io/rawkode-academy/klustered:v1`; its scenario directories run unchanged on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from components.handles import WorkloadHandle

APP_NAME = "klustered"
APP_PORT = 666
NODE_PORT = 30000
DB_STATEFULSET = "postgresql"
DB_SERVICE = "postgres"
DB_CONFIGMAP = "postgresql"
DB_USER = "postgres"
DB_PASSWORD = "postgresql123"
DB_NAME = "klustered"
DB_PORT = 5432
KB_DB_DEPLOYMENT = "database"
"""KlusteredBench's database Deployment (its pods carry app=postgresql)."""

Baseline = Literal["show", "klusteredbench"]
BASELINES: tuple[Baseline, ...] = ("show", "klusteredbench")
DEFAULT_IMAGES: dict[str, str] = {
    "show": "ghcr.io/rawkodeacademy/klustered:v1",
    "klusteredbench": "ghcr.io/rawkode-academy/klustered:v1",
}
"""The v1 app image of each baseline (the show's organisation and KlusteredBench's differ)."""

SEEDED_QUOTES: tuple[tuple[str, str, str], ...] = (
    (
        "May your bag be bountiful and your success be great. p.s. you're v smart and hot",
        "Stephen Augustus",
        "https://twitter.com/stephenaugustus/status/1372193744078958595",
    ),
    (
        "Fight for your limits and sure enough their yours",
        "Duffie's Mom",
        "https://twitter.com/mauilion/status/1373485025585340418",
    ),
    (
        "Productivity does not determine your value. You have value in just being you.",
        "Katy Farmer",
        "https://twitter.com/TheKaterTot/status/1370511659677089794",
    ),
)
"""The quotes the show seeds: (quote, author, link)."""


@dataclass(frozen=True)
class WorkloadSpec:
    """What can vary between episodes: baseline, images and namespace."""

    image: str | None = None
    """The v1 app image; None: the baseline's own (DEFAULT_IMAGES)."""
    postgres_image: str = "postgres:16"
    namespace: str = "default"
    baseline: Baseline = "show"

    def __post_init__(self) -> None:
        if self.baseline not in BASELINES:
            raise ValueError(
                f"baseline must be one of {', '.join(BASELINES)}, got {self.baseline!r}"
            )

    @property
    def app_image(self) -> str:
        """The v1 app image actually deployed."""
        return self.image or DEFAULT_IMAGES[self.baseline]


def workload_handle(spec: WorkloadSpec | None = None) -> WorkloadHandle:
    """What breaks and the goal check need to know about the deployed app."""
    spec = spec or WorkloadSpec()
    db = (
        f"deployment/{KB_DB_DEPLOYMENT}"
        if spec.baseline == "klusteredbench"
        else f"statefulset/{DB_STATEFULSET}"
    )
    return WorkloadHandle(
        baseline=spec.baseline,
        image=spec.app_image,
        namespace=spec.namespace,
        deployment=APP_NAME,
        container=APP_NAME,
        service=APP_NAME,
        node_port=NODE_PORT,
        db_workload=db,
        db_service=DB_SERVICE,
    )


def _sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def seed_sql() -> str:
    """SQL creating the quotes table and inserting the seeded rows (safe to run twice)."""
    rows = ",\n".join(
        "  (" + ", ".join(_sql_literal(v) for v in row) + ")" for row in SEEDED_QUOTES
    )
    return (
        "CREATE TABLE IF NOT EXISTS quotes (\n"
        "  quote VARCHAR (5000) UNIQUE NOT NULL,\n"
        "  author VARCHAR (500) NOT NULL,\n"
        "  link VARCHAR (512) NOT NULL\n"
        ");\n"
        "INSERT INTO quotes (quote, author, link) VALUES\n"
        f"{rows}\n"
        "ON CONFLICT (quote) DO NOTHING;\n"
    )


def init_script() -> str:
    """The postgres entrypoint init script that seeds the database."""
    return (
        "#!/bin/bash\n"
        "set -euo pipefail\n"
        'psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<-EOSQL\n'
        f"{seed_sql()}"
        "EOSQL\n"
    )


def _labels(app: str) -> dict[str, str]:
    return {"app": app}


def _meta(name: str, spec: WorkloadSpec, app: str) -> dict[str, Any]:
    return {"name": name, "namespace": spec.namespace, "labels": _labels(app)}


def _pg_isready() -> dict[str, Any]:
    return {
        "exec": {
            "command": [
                "/bin/sh",
                "-c",
                f"exec pg_isready -U {DB_USER} -h 127.0.0.1 -p {DB_PORT}",
            ]
        },
        "initialDelaySeconds": 5,
        "periodSeconds": 5,
        "timeoutSeconds": 5,
        "failureThreshold": 3,
    }


def postgres_manifests(spec: WorkloadSpec) -> list[dict[str, Any]]:
    """The seed ConfigMap, the `postgresql` StatefulSet and the `postgres` Service."""
    configmap = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": _meta(DB_CONFIGMAP, spec, DB_STATEFULSET),
        "data": {"init.sh": init_script()},
    }
    statefulset = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": _meta(DB_STATEFULSET, spec, DB_STATEFULSET),
        "spec": {
            "serviceName": DB_SERVICE,
            "replicas": 1,
            "selector": {"matchLabels": _labels(DB_STATEFULSET)},
            "template": {
                "metadata": {"labels": _labels(DB_STATEFULSET)},
                "spec": {
                    "containers": [
                        {
                            "name": "postgresql",
                            "image": spec.postgres_image,
                            "imagePullPolicy": "IfNotPresent",
                            "env": [
                                {"name": "POSTGRES_USER", "value": DB_USER},
                                {"name": "POSTGRES_PASSWORD", "value": DB_PASSWORD},
                                {"name": "POSTGRES_DB", "value": DB_NAME},
                                {"name": "PGDATA", "value": "/var/lib/postgresql/data/pgdata"},
                            ],
                            "ports": [{"name": "postgres", "containerPort": DB_PORT}],
                            "readinessProbe": _pg_isready(),
                            "livenessProbe": _pg_isready(),
                            "volumeMounts": [
                                {"name": "init", "mountPath": "/docker-entrypoint-initdb.d"},
                                {"name": "data", "mountPath": "/var/lib/postgresql/data"},
                            ],
                        }
                    ],
                    "volumes": [
                        {"name": "init", "configMap": {"name": DB_CONFIGMAP}},
                        # No storage class on a fresh kubeadm cluster: the data lives with
                        # the pod and is re-seeded by init.sh when the pod is recreated.
                        {"name": "data", "emptyDir": {}},
                    ],
                },
            },
        },
    }
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(DB_SERVICE, spec, DB_STATEFULSET),
        "spec": {
            "selector": _labels(DB_STATEFULSET),
            "ports": [{"name": "postgres", "port": DB_PORT, "targetPort": DB_PORT}],
        },
    }
    return [configmap, statefulset, service]


def app_manifests(spec: WorkloadSpec) -> list[dict[str, Any]]:
    """The `klustered` Deployment and its NodePort Service (30000 -> 666)."""
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(APP_NAME, spec, APP_NAME),
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": _labels(APP_NAME)},
            "template": {
                "metadata": {"labels": _labels(APP_NAME)},
                "spec": {
                    "containers": [
                        {
                            "name": APP_NAME,
                            "image": spec.app_image,
                            "ports": [{"name": "http", "containerPort": APP_PORT}],
                            "readinessProbe": {
                                "httpGet": {"path": "/health", "port": APP_PORT},
                                "initialDelaySeconds": 2,
                                "periodSeconds": 5,
                            },
                            "resources": {"limits": {"memory": "128Mi", "cpu": "500m"}},
                        }
                    ]
                },
            },
        },
    }
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(APP_NAME, spec, APP_NAME),
        "spec": {
            "type": "NodePort",
            "selector": _labels(APP_NAME),
            "ports": [
                {
                    "name": "http",
                    "port": APP_PORT,
                    "targetPort": APP_PORT,
                    "nodePort": NODE_PORT,
                }
            ],
        },
    }
    return [deployment, service]


def klusteredbench_manifests(spec: WorkloadSpec) -> list[dict[str, Any]]:
    """KlusteredBench's baseline objects, field for field, in the order its setup applies them."""

    def meta(name: str) -> dict[str, Any]:
        return {"name": name, "namespace": spec.namespace}

    db_labels = {"app": DB_STATEFULSET}
    app_labels = {"app": APP_NAME}
    configmap = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": meta(DB_CONFIGMAP),
        "data": {"init.sh": init_script()},
    }
    database = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta(KB_DB_DEPLOYMENT),
        "spec": {
            "replicas": 1,
            "strategy": {"type": "Recreate"},
            "selector": {"matchLabels": db_labels},
            "template": {
                "metadata": {"labels": db_labels},
                "spec": {
                    "volumes": [{"name": "init", "configMap": {"name": DB_CONFIGMAP}}],
                    "containers": [
                        {
                            "name": "postgresql",
                            "image": spec.postgres_image,
                            "volumeMounts": [
                                {"mountPath": "/docker-entrypoint-initdb.d", "name": "init"}
                            ],
                            "env": [
                                {"name": "POSTGRES_USER", "value": DB_USER},
                                {"name": "POSTGRES_DB", "value": DB_NAME},
                                {"name": "POSTGRES_PASSWORD", "value": DB_PASSWORD},
                            ],
                            "ports": [{"containerPort": DB_PORT}],
                            "readinessProbe": {
                                "exec": {
                                    "command": [
                                        "/bin/sh",
                                        "-c",
                                        f"exec pg_isready -U {DB_USER} -h 127.0.0.1 -p {DB_PORT}",
                                    ]
                                },
                                "initialDelaySeconds": 5,
                                "periodSeconds": 5,
                            },
                        }
                    ],
                },
            },
        },
    }
    db_service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta(DB_SERVICE),
        "spec": {"selector": db_labels, "ports": [{"port": DB_PORT}]},
    }
    app = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta(APP_NAME),
        "spec": {
            "replicas": 1,
            "strategy": {"type": "Recreate"},
            "selector": {"matchLabels": app_labels},
            "template": {
                "metadata": {"labels": app_labels},
                "spec": {
                    "containers": [
                        {
                            "name": APP_NAME,
                            "image": spec.app_image,
                            "ports": [{"containerPort": APP_PORT}],
                            "resources": {"limits": {"memory": "128Mi", "cpu": "500m"}},
                        }
                    ]
                },
            },
        },
    }
    app_service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta(APP_NAME),
        "spec": {
            "type": "NodePort",
            "ports": [{"port": APP_PORT, "nodePort": NODE_PORT}],
            "selector": app_labels,
        },
    }
    return [configmap, database, db_service, app, app_service]


def workload_manifests(spec: WorkloadSpec | None = None) -> list[dict[str, Any]]:
    """Every object of the workload, database first, as plain dicts ready for the k8s provider."""
    spec = spec or WorkloadSpec()
    if spec.baseline == "klusteredbench":
        return klusteredbench_manifests(spec)
    return [*postgres_manifests(spec), *app_manifests(spec)]
