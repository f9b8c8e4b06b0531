"""The Klustered app manifests: the names, ports and credentials the real app expects."""

from __future__ import annotations

from typing import Any

from components.workload.manifests import (
    SEEDED_QUOTES,
    WorkloadSpec,
    init_script,
    seed_sql,
    workload_manifests,
)


def by_kind_name(objs: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(o["kind"], o["metadata"]["name"]): o for o in objs}


def test_workload_is_postgres_then_app_in_default() -> None:
    objs = workload_manifests()
    assert [(o["kind"], o["metadata"]["name"]) for o in objs] == [
        ("ConfigMap", "postgresql"),
        ("StatefulSet", "postgresql"),
        ("Service", "postgres"),
        ("Deployment", "klustered"),
        ("Service", "klustered"),
    ]
    assert {o["metadata"]["namespace"] for o in objs} == {"default"}


def test_app_runs_v1_on_port_666_behind_nodeport_30000() -> None:
    objs = by_kind_name(workload_manifests())
    container = objs[("Deployment", "klustered")]["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "ghcr.io/rawkodeacademy/klustered:v1"
    assert container["ports"] == [{"name": "http", "containerPort": 666}]
    # The version shown on the page comes from the image; setting VERSION here would make
    # a v2 image claim to be v1.
    assert "env" not in container
    port = objs[("Service", "klustered")]["spec"]["ports"][0]
    assert objs[("Service", "klustered")]["spec"]["type"] == "NodePort"
    assert (port["port"], port["targetPort"], port["nodePort"]) == (666, 666, 30000)


def test_app_image_is_configurable() -> None:
    objs = by_kind_name(workload_manifests(WorkloadSpec(image="registry.local/klustered:v1")))
    container = objs[("Deployment", "klustered")]["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "registry.local/klustered:v1"


def test_selectors_match_their_pods() -> None:
    objs = by_kind_name(workload_manifests())
    for svc, workload in [
        (("Service", "postgres"), ("StatefulSet", "postgresql")),
        (("Service", "klustered"), ("Deployment", "klustered")),
    ]:
        labels = objs[workload]["spec"]["template"]["metadata"]["labels"]
        assert objs[svc]["spec"]["selector"].items() <= labels.items()
        assert objs[workload]["spec"]["selector"]["matchLabels"].items() <= labels.items()


def test_postgres_has_the_credentials_compiled_into_the_app() -> None:
    # main.rs: "host=postgres user=postgres password=postgresql123 dbname=klustered"
    objs = by_kind_name(workload_manifests())
    sts = objs[("StatefulSet", "postgresql")]
    env = {e["name"]: e["value"] for e in sts["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert (env["POSTGRES_USER"], env["POSTGRES_PASSWORD"], env["POSTGRES_DB"]) == (
        "postgres",
        "postgresql123",
        "klustered",
    )
    assert objs[("Service", "postgres")]["spec"]["ports"][0]["port"] == 5432
    assert sts["spec"]["serviceName"] == "postgres"


def test_init_configmap_seeds_the_quotes_table_the_app_reads() -> None:
    objs = by_kind_name(workload_manifests())
    script = objs[("ConfigMap", "postgresql")]["data"]["init.sh"]
    assert script == init_script()
    sql = seed_sql()
    assert "CREATE TABLE IF NOT EXISTS quotes" in sql
    for column in (
        "quote VARCHAR (5000) UNIQUE NOT NULL",
        "author VARCHAR (500) NOT NULL",
        "link VARCHAR (512) NOT NULL",
    ):
        assert column in sql
    assert "INSERT INTO quotes (quote, author, link) VALUES" in sql
    assert "'Duffie''s Mom'" in sql  # quotes in values are doubled for SQL
    assert len(SEEDED_QUOTES) == sql.count("'https://twitter.com/")
    volumes = objs[("StatefulSet", "postgresql")]["spec"]["template"]["spec"]["volumes"]
    assert {"name": "init", "configMap": {"name": "postgresql"}} in volumes
