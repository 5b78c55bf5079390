"""The whole nightly_load DAG, run by Airflow (`airflow dags test`) against a real PostgreSQL.

The landing folder holds a small simulated province spanning the 1/7/2025 reorganisation. The run must
end with non-empty marts that match raw, with every GX result recorded; a second run of the same night
must load nothing again and leave the marts as they were.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess

import psycopg
import pytest
from conftest import warehouse_cli

pytestmark = pytest.mark.slow


def run_dag(env: dict, logical_date: str) -> subprocess.CompletedProcess:
    return warehouse_cli(env, "airflow", "dags", "test", "nightly_load", logical_date)


@pytest.fixture(scope="module")
def nightly(nightly_province):
    """The province's first night (run by the fixture), then the same night again."""
    url, env, first, counts = nightly_province
    with psycopg.connect(url, autocommit=True) as conn:
        snapshot = _snapshot(conn)
        second = run_dag(env, "2025-09-20")
        yield conn, first, second, counts, snapshot


def _snapshot(conn) -> dict:
    return {
        "raw_cases": conn.execute("select count(*) from raw.motcua_cases").fetchone()[0],
        "raw_events": conn.execute("select count(*) from raw.motcua_events").fetchone()[0],
        "kpi": conn.execute(
            "select sum(received), sum(resolved), sum(in_progress), sum(carried_over) from marts.kpi_case_timeliness"
        ).fetchone(),
    }


def test_first_run_succeeds_and_fills_the_marts(nightly):
    conn, first, _, counts, snapshot = nightly
    assert first.returncode == 0, first.stdout[-4000:]
    assert snapshot["raw_cases"] == counts["case_versions"]
    assert snapshot["raw_events"] == counts["events"]
    cases = conn.execute("select count(*) from marts.fct_cases").fetchone()[0]
    assert cases == counts["cases"]
    rows, received = conn.execute(
        "select count(*), sum(received) from marts.kpi_case_timeliness where period_kind = 'month'"
    ).fetchone()
    assert rows > 0
    assert received == cases  # every case is received in exactly one monthly period


def test_the_data_date_is_the_nights_delivery(nightly):
    """The night of 20/9/2025 07:00 delivered the province as of 06:00: that moment is the data date, and no
    source timestamp is later than its delivery."""
    conn, *_ = nightly
    as_of = conn.execute("select as_of_at at time zone 'Asia/Ho_Chi_Minh' from marts.data_date").fetchone()[0]
    assert as_of == dt.datetime(2025, 9, 20, 7, 0)
    after = conn.execute(
        "select count(*) from dq.validation_results where check_name = 'not_after_delivery' and not success"
    ).fetchone()[0]
    assert after == 0


def test_every_source_was_loaded_through_the_ledger(nightly):
    conn, *_ = nightly
    loaded = dict(
        conn.execute("select source, count(*) from audit.batches where status = 'loaded' group by source").fetchall()
    )
    assert set(loaded) == {"motcua", "pakn", "baocao"}


def test_both_validation_gates_recorded_their_results(nightly):
    conn, *_ = nightly
    suites = {r[0] for r in conn.execute("select distinct suite_name from dq.validation_results")}
    assert {
        "raw_motcua_cases",
        "raw_motcua_events",
        "raw_pakn_feedback",
        "raw_baocao_values",
        "mart_case_kpis",
        "mart_report_compliance",
    } <= suites
    failed_critical = conn.execute(
        "select count(*) from dq.validation_results where severity = 'critical' and not success"
    ).fetchone()[0]
    assert failed_critical == 0


def test_rerunning_the_night_loads_nothing_twice(nightly):
    conn, _, second, _, snapshot = nightly
    assert second.returncode == 0, second.stdout[-4000:]
    assert _snapshot(conn) == snapshot
    statuses = dict(conn.execute("select status, count(*) from audit.batches group by status").fetchall())
    assert statuses.get("failed", 0) == 0
    assert statuses.get("rejected", 0) == 0


def test_analysts_can_read_the_quality_results_the_night_recorded(nightly):
    conn, *_ = nightly
    with conn.transaction():
        conn.execute("set local role analyst")
        assert conn.execute("select count(*) from dq.validation_results").fetchone()[0] > 0
        assert conn.execute("select count(*) from marts.kpi_online_share").fetchone()[0] > 0


def test_every_mart_column_is_documented(nightly, tmp_path_factory):
    """dbt docs generate ran in the night: every column of every table in marts has a description."""
    conn, *_ = nightly
    target = next(tmp_path_factory.getbasetemp().glob("province*/output/dbt/target"))
    manifest = json.loads((target / "manifest.json").read_text())
    assert (target / "index.html").exists() and (target / "catalog.json").exists()
    described = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and node["schema"] == "marts":
            described[node["name"]] = {c for c, v in node["columns"].items() if v.get("description", "").strip()}
    actual = {}
    for table, column in conn.execute(
        "select table_name, column_name from information_schema.columns where table_schema = 'marts'"
    ):
        actual.setdefault(table, set()).add(column)
    missing = {t: sorted(cols - described.get(t, set())) for t, cols in actual.items()}
    assert {t: cols for t, cols in missing.items() if cols} == {}


def test_airflow_serves_the_nights_dbt_docs(nightly, tmp_path_factory, monkeypatch):
    """Cosmos's plugin in Airflow's api-server (Browse → dbt Docs) serves the docs the night published, with the
    setting `python -m warehouse airflow` and docker compose give it."""
    from fastapi.testclient import TestClient

    from warehouse.cli import dbt_docs_projects

    target = next(tmp_path_factory.getbasetemp().glob("province*/output/dbt/target"))
    monkeypatch.setenv("AIRFLOW__COSMOS__DBT_DOCS_PROJECTS", dbt_docs_projects(target))
    from cosmos.plugin.airflow3 import create_cosmos_fastapi_app

    client = TestClient(create_cosmos_fastapi_app())
    page = client.get("/khanhhoa_kpi/dbt_docs_index.html")
    assert page.status_code == 200 and "dbt" in page.text.lower()
    manifest = client.get("/khanhhoa_kpi/manifest.json")
    assert manifest.status_code == 200 and "model.khanhhoa_kpi.fct_cases" in manifest.json()["nodes"]
    assert client.get("/khanhhoa_kpi/catalog.json").status_code == 200
