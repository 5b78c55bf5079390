"""A blocking data-quality failure stops the night before dbt (the marts keep their state), says where the
problem is, and keeps blocking until an operator deals with it; excluding the batch lets the night through."""

from __future__ import annotations

import datetime as dt
import json

import psycopg
import pytest
from conftest import airflow_env, new_database, task_tries, warehouse_cli

from ingestion.simulator.generate import SimulationSpec, generate

pytestmark = pytest.mark.slow

SPEC = SimulationSpec(cases_per_year=300, start=dt.date(2025, 3, 15), as_of=dt.datetime(2025, 8, 20, 6, 0))


@pytest.fixture(scope="module")
def blocked_night(tmp_path_factory, server_url):
    root = tmp_path_factory.mktemp("gate")
    landing = root / "landing"
    generate(landing, SPEC)
    bad = {
        "MaHoSo": "GATE-1",
        "MaTTHC": "1.001193",
        "MaDonVi": "XA-99999",
        "KenhNop": 2,
        "MucDoDVC": "MOT_PHAN",
        "NgayTiepNhan": "2025-08-04T09:00:00",
        "NgayHenTra": "2025-08-05T17:00:00",
        "TrangThai": "DANG_XU_LY",
        "NgayCapNhat": "2025-08-04T09:00:00",
    }
    (landing / "motcua" / "hoso_unknown_agency.jsonl").write_text(json.dumps(bad) + "\n")
    url = new_database(server_url, "nightly_gate_test")
    env = airflow_env(url, landing, root)
    assert warehouse_cli(env, "airflow", "db", "migrate").returncode == 0
    first = warehouse_cli(env, "airflow", "dags", "test", "nightly_load", "2025-08-20T07:00:00+07:00")
    with psycopg.connect(url, autocommit=True) as conn:
        yield conn, env, first


def test_the_blocked_night_fails_before_dbt_and_says_where(blocked_night):
    conn, env, first = blocked_night
    assert first.returncode != 0
    assert "agency XA-99999, period 2025-T08: 1 rows" in first.stdout
    assert task_tries(env)["validate_raw_batches"] == (1, "failed")  # a data gap fails at once, not retried
    night = conn.execute(
        "select state, failed_task, message from audit.nightly_runs order by started_at desc limit 1"
    ).fetchone()
    assert night[:2] == ("failed", "validate_raw_batches") and "XA-99999" in night[2]
    assert conn.execute("select to_regclass('marts.fct_cases')").fetchone()[0] is None  # dbt never ran
    gap = conn.execute(
        "select severity, kind, agency_id, period_id from dq.open_gaps where kind = 'unknown_agency'"
    ).fetchone()
    assert gap == ("critical", "unknown_agency", "XA-99999", "2025-T08")


def test_the_operator_sees_the_blocker_excludes_the_batch_and_the_night_goes_through(blocked_night):
    conn, env, _ = blocked_night
    again = warehouse_cli(env, "airflow", "dags", "test", "nightly_load", "2025-08-20T07:00:00+07:00")
    assert again.returncode != 0  # a failed batch keeps blocking: it is validated again, not forgotten
    batch_id = conn.execute(
        "select batch_id from audit.batches where validation = 'failed' and location like '%%hoso_unknown_agency.jsonl'"
    ).fetchone()[0]
    excluded = warehouse_cli(
        env, "batches", "exclude", str(batch_id), "--reason", "agency code XA-99999 does not exist"
    )
    assert excluded.returncode == 0, excluded.stdout + excluded.stderr
    assert conn.execute("select count(*) from dq.open_gaps where severity = 'critical'").fetchone()[0] == 0
    through = warehouse_cli(env, "airflow", "dags", "test", "nightly_load", "2025-08-20T07:00:00+07:00")
    assert through.returncode == 0, "\n".join(
        line for line in through.stdout.splitlines() if "blocking" in line or "critical" in line or "Error" in line
    )
    cases = conn.execute("select count(*), count(*) filter (where case_id = 'GATE-1') from marts.fct_cases").fetchone()
    assert cases[0] > 0 and cases[1] == 0  # built, without the excluded batch's rows


def test_a_batch_excluded_after_the_marts_were_built_from_it_leaves_them_with_a_full_refresh(blocked_night):
    """Runbook, "Exclude a batch the marts were built from": exclude it, then trigger nightly_load with
    full_refresh on (through Airflow, as an operator does from the UI); its rows leave every table."""
    conn, env, _ = blocked_night
    if conn.execute("select to_regclass('marts.fct_cases')").fetchone()[0] is None:  # run alone (-k): unblock first
        test_the_operator_sees_the_blocker_excludes_the_batch_and_the_night_goes_through(blocked_night)
    batch_id, only_there = conn.execute(
        "select b.batch_id, array_agg(distinct r.mahoso) from audit.batches b"
        " join raw.motcua_cases r on r._batch_id = b.batch_id"
        " where b.location like '%%hoso_2025-07.jsonl' and not exists (select 1 from raw.motcua_cases o"
        " where o.mahoso = r.mahoso and o._batch_id <> b.batch_id) group by b.batch_id"
    ).fetchone()
    built = conn.execute("select count(*) from marts.fct_cases where case_id = any(%s)", (only_there,)).fetchone()[0]
    assert built == len(only_there) > 0  # the marts were built from it
    excluded = warehouse_cli(env, "batches", "exclude", str(batch_id), "--reason", "July's file was sent twice")
    assert excluded.returncode == 0, excluded.stdout + excluded.stderr
    # an ordinary night keeps the built rows (staging is incremental): the mart gate finds the marts counting more
    # than raw now holds, fails the night at once, and the rollup refuses while the gap is open
    ordinary = warehouse_cli(env, "airflow", "dags", "test", "nightly_load", "2025-08-21T07:00:00+07:00")
    assert ordinary.returncode != 0
    assert task_tries(env)["validate_marts"] == (1, "failed")
    night = conn.execute(
        "select state, failed_task, marts_validated_at from audit.nightly_runs order by started_at desc limit 1"
    ).fetchone()
    assert night == ("failed", "validate_marts", None)
    gaps = conn.execute(
        "select array_agg(distinct period_id order by period_id) from dq.open_gaps"
        " where severity = 'critical' and check_name = 'received_reconciles_with_raw'"
    ).fetchone()[0]
    assert gaps and all(p in ("2025-T07", "2025-T08") for p in gaps), gaps  # the months July's cases fall in
    blockers = warehouse_cli(env, "blockers", "--period", "2025-NAM")
    assert blockers.returncode == 1 and "received_reconciles_with_raw" in blockers.stdout, blockers.stdout[-2000:]
    refreshed = warehouse_cli(
        env, "airflow", "dags", "test", "nightly_load", "2025-08-22T07:00:00+07:00", "--conf", '{"full_refresh": true}'
    )
    assert refreshed.returncode == 0, refreshed.stdout[-3000:]
    left = conn.execute(
        "select (select count(*) from marts.fct_cases where case_id = any(%(ids)s)),"
        " (select count(*) from staging.stg_motcua__cases where case_id = any(%(ids)s)),"
        " (select count(*) from marts.fct_cases)",
        {"ids": only_there},
    ).fetchone()
    assert left[:2] == (0, 0) and left[2] > 0  # gone from staging and the marts; the rest rebuilt
    reconciled = "select count(*) from dq.open_gaps where severity = 'critical' and check_name = %s"
    assert conn.execute(reconciled, ("received_reconciles_with_raw",)).fetchone()[0] == 0  # the gate agrees again
