"""Faults a night must survive, each on a real PostgreSQL and, for the night, through Airflow.

- the database stops (crashes) in the middle of a load: the batch rolls back whole; the re-run loads it once;
- a dbt model fails: it and every model built from it keep yesterday's rows, the night is recorded as failed
  (after Airflow's retry), the rollup refuses to publish; the next good night heals it.
The source API answering 500 or timing out is in test_source_api.py; re-running a finished night in
test_nightly_run.py.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from urllib.parse import unquote, urlsplit

import psycopg
import pytest
from conftest import airflow_env, mart_tables, new_database, secrets_found, task_tries, throwaway_server, warehouse_cli
from test_incremental_build import _build

from ingestion.ingest import ingest_folder
from ingestion.raw_schema import ensure_raw_schema
from ingestion.simulator.generate import SimulationSpec, generate
from warehouse.db import bootstrap
from warehouse.embedded import EmbeddedPostgres

pytestmark = pytest.mark.slow

BIG_FILE_ROWS = 150_000  # a COPY of a few seconds, held open at its end (trigger hold_copy) for the crash


@pytest.fixture
def own_server():
    """A server of its own: this test crashes it."""
    with throwaway_server("crash-pg-") as (server, state):
        yield server, state.url()


def _crash_when_copying(server: EmbeddedPostgres, url: str, seen: dict) -> None:
    """Watch pg_stat_activity; once the loader's COPY into raw.motcua_cases runs, stop the server the hard way
    (pg_ctl -m immediate, a crash) and start it again."""
    deadline = time.monotonic() + 60
    with psycopg.connect(url, autocommit=True) as watcher:
        while time.monotonic() < deadline:
            copying = watcher.execute(
                "select count(*) from pg_stat_activity where state = 'active' and query ilike %s",
                ('copy "raw"."motcua_cases"%',),
            ).fetchone()[0]
            if copying:
                break
            time.sleep(0.02)
        else:
            return
    server.stop(mode="immediate")
    seen["crashed"] = True
    seen["url"] = server.ensure_running().url()  # it may come back on another port if the old one is not free


def test_a_database_crash_mid_load_rolls_the_batch_back_and_the_rerun_loads_it_once(own_server, tmp_path):
    server, url = own_server
    landing = tmp_path / "landing"
    (landing / "motcua").mkdir(parents=True)
    template = {
        "MaHoSo": None,
        "MaTTHC": "1.002804",
        "MaDonVi": "SO-GTVT",
        "KenhNop": 2,
        "MucDoDVC": "TOAN_TRINH",
        "NgayTiepNhan": "2025-03-17T12:26:00",
        "NgayHenTra": "2025-03-24T17:00:00",
        "TrangThai": "DANG_XU_LY",
        "ChuHoSo": "Lê Ngọc Hiếu",
        "NgayCapNhat": "2025-03-17T12:26:00",
    }
    with open(landing / "motcua" / "hoso_2025-03.jsonl", "w", encoding="utf-8") as handle:
        for n in range(BIG_FILE_ROWS):
            handle.write(json.dumps({**template, "MaHoSo": f"SO-GTVT-250317-{n:06d}"}, ensure_ascii=False) + "\n")

    with psycopg.connect(url, autocommit=True) as conn:
        bootstrap(conn)
        ensure_raw_schema(conn)
        # the COPY statement stays open 3 s after its last row, so the crash always lands inside the batch's
        # transaction, however fast the machine streams the file and however slow pg_ctl is to stop the server
        conn.execute(
            "create function raw.hold_copy() returns trigger language plpgsql as"
            " $$ begin perform pg_sleep(3); return null; end $$;"
            " create trigger hold_copy after insert on raw.motcua_cases"
            " for each statement execute function raw.hold_copy()"
        )
    seen: dict = {}
    watcher = threading.Thread(target=_crash_when_copying, args=(server, url, seen))
    watcher.start()
    with pytest.raises(psycopg.OperationalError), psycopg.connect(url, autocommit=True) as conn:
        ingest_folder(conn, "motcua", landing)
    watcher.join()
    assert seen.get("crashed"), "the load finished before the server could be stopped: make the file bigger"

    with psycopg.connect(seen["url"], autocommit=True) as conn:
        assert conn.execute("select count(*) from raw.motcua_cases").fetchone()[0] == 0
        assert conn.execute("select count(*) from raw.quarantine").fetchone()[0] == 0
        assert (
            conn.execute("select count(*) from audit.batches where status in ('loading', 'loaded')").fetchone()[0] == 0
        )
        again = ingest_folder(conn, "motcua", landing)
        assert [b.status for b in again.batches] == ["loaded"]
        assert conn.execute("select count(*), count(distinct mahoso) from raw.motcua_cases").fetchone() == (
            BIG_FILE_ROWS,
            BIG_FILE_ROWS,
        )
        third = ingest_folder(conn, "motcua", landing)
        assert [b.status for b in third.batches] == ["skipped"]
        assert conn.execute("select count(*) from raw.motcua_cases").fetchone()[0] == BIG_FILE_ROWS
        assert conn.execute("select count(*) from audit.batches where status = 'loaded'").fetchone()[0] == 1


# --- a dbt model fails -------------------------------------------------------------------------------------

FIRST = SimulationSpec(cases_per_year=300, start=dt.date(2024, 12, 15), as_of=dt.datetime(2025, 7, 10, 6, 0))
SECOND = SimulationSpec(cases_per_year=300, start=dt.date(2024, 12, 15), as_of=dt.datetime(2025, 7, 20, 6, 0))
BROKEN = ["kpi_values", "dim_kpi_target"]  # read ref_kpi_targets.target_value
UNTOUCHED = ["fct_cases", "kpi_case_timeliness", "kpi_case_timeliness_province"]  # built beside, from the new rows


def _fingerprint(conn: psycopg.Connection, table: str) -> str:
    return conn.execute(
        f"select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) from marts.{table} t"
    ).fetchone()[0]


def _night(conn: psycopg.Connection) -> tuple:
    return conn.execute(
        "select state, failed_task, message, marts_validated_at is not null from audit.nightly_runs"
        " order by started_at desc limit 1"
    ).fetchone()


@pytest.fixture(scope="module")
def failed_night(tmp_path_factory, server_url):
    """Night 1 succeeds; before night 2 someone renames a column of a reference table by hand, so two KPI
    models fail; then the same night is run again after the column is put back."""
    root = tmp_path_factory.mktemp("failed-night")
    generate(root / "first", FIRST)
    generate(root / "second", SECOND)
    url = new_database(server_url, "failed_night")
    env = airflow_env(url, root / "first", root)
    assert warehouse_cli(env, "airflow", "db", "migrate").returncode == 0
    first = warehouse_cli(env, "airflow", "dags", "test", "nightly_load", "2025-07-10T07:00:00+07:00")
    assert first.returncode == 0, first.stdout[-3000:]
    with psycopg.connect(url, autocommit=True) as conn:
        before = {t: _fingerprint(conn, t) for t in [*BROKEN, *UNTOUCHED]}
        conn.execute("alter table reference.ref_kpi_targets rename column target_value to target_value_typo")
        env["LANDING_DIR"] = str(root / "second")
        # this night draws each dbt model as a task (Cosmos): the operator sees which ones failed
        cosmos = {**env, "DBT_IN_AIRFLOW": "cosmos"}
        second = warehouse_cli(cosmos, "airflow", "dags", "test", "nightly_load", "2025-07-20T07:00:00+07:00")
        after_failure = {t: _fingerprint(conn, t) for t in before}
        build = json.loads((root / "output" / "dbt" / "target" / "run_results.json").read_text(encoding="utf-8"))
        night = _night(conn)
        tries = task_tries(env)
        rollup = warehouse_cli(env, "rollup", "--period", "2025-6T")
        conn.execute("alter table reference.ref_kpi_targets rename column target_value_typo to target_value")
        third = warehouse_cli(env, "airflow", "dags", "test", "nightly_load", "2025-07-20T07:00:00+07:00")
        healed = {t: _fingerprint(conn, t) for t in before}
        healed_marts = mart_tables(url)
        _build(url, "--full-refresh")  # what the healed night must equal: every model rebuilt from raw
        yield {
            "healed_marts": healed_marts,
            "rebuilt_marts": mart_tables(url),
            "root": root,
            "before": before,
            "after_failure": after_failure,
            "build": {r["unique_id"]: r["status"] for r in build["results"]},
            "second": second,
            "night": night,
            "tries": tries,
            "rollup": rollup,
            "third": third,
            "healed": healed,
            "healed_night": _night(conn),
        }


def test_a_failing_model_and_its_descendants_keep_yesterdays_rows(failed_night):
    assert failed_night["second"].returncode != 0
    for table in BROKEN:
        assert failed_night["after_failure"][table] == failed_night["before"][table], table
    # what does not depend on the broken models was built with the new night's data
    for table in UNTOUCHED:
        assert failed_night["after_failure"][table] != failed_night["before"][table], table


def test_the_failed_night_is_recorded_with_the_task_and_the_error(failed_night):
    """The build fails first (with dbt's errors); then each failed model's own task, after its one retry (which
    ran the model alone again); the models built from them never start; the rest of the build stands."""
    state, task, message, validated = failed_night["night"]
    assert (state, task, validated) == ("failed", "build_marts.dbt_producer_watcher", False)
    assert "kpi_values" in message and "target_value" in message
    tries = failed_night["tries"]
    assert tries["build_marts.dbt_producer_watcher"] == (1, "failed")  # one build; never retried
    for model in BROKEN:
        assert tries[f"build_marts.{model}.run"] == (2, "failed"), model  # retried once before giving up
        assert f"build_marts.{model}.run: " in message, model
        assert tries[f"build_marts.{model}.test"][1] == "upstream_failed", model
    for model in UNTOUCHED:
        assert tries[f"build_marts.{model}.run"] == (1, "success"), model
    # each model's task says what the build did with it: built, failed, or not built because one it reads failed
    build = failed_night["build"]
    assert {u for u, status in build.items() if status == "error"} >= {f"model.khanhhoa_kpi.{m}" for m in BROKEN}
    states = {"success": "success", "error": "failed", "skipped": "upstream_failed"}
    models = {u.split(".")[-1]: status for u, status in build.items() if u.startswith("model.")}
    assert len(models) > 40  # a task per model
    assert {m: tries[f"build_marts.{m}.run"][1] for m in models} == {m: states[s] for m, s in models.items()}
    assert tries["validate_marts"][1] == "upstream_failed"


def test_the_rollup_refuses_to_publish_after_a_failed_night(failed_night):
    rollup = failed_night["rollup"]
    assert rollup.returncode != 0
    log = (failed_night["root"] / "output" / "logs" / "biannual_rollup_2025-6T.log").read_text(encoding="utf-8")
    assert "the last nightly_load" in log and "failed at build_marts" in log
    assert not (failed_night["root"] / "output" / "extracts" / "2025-6T").exists()


def test_the_next_good_night_brings_the_marts_up_to_date(failed_night):
    assert failed_night["third"].returncode == 0, failed_night["third"].stdout[-3000:]
    assert failed_night["healed_night"][0] == "success" and failed_night["healed_night"][3]
    assert failed_night["healed"]["kpi_values"] != failed_night["before"]["kpi_values"]
    for table in UNTOUCHED:
        assert failed_night["healed"][table] == failed_night["after_failure"][table], table
    # not just changed: every mart is what a full rebuild of the same raw data gives
    healed, rebuilt = failed_night["healed_marts"], failed_night["rebuilt_marts"]
    assert set(healed) == set(rebuilt) and len(healed) > 10
    for table in rebuilt:
        assert healed[table] == rebuilt[table], table


def test_the_failure_messages_do_not_reveal_the_database_password(failed_night, server_url):
    password = unquote(urlsplit(server_url).password or "")
    if not password:
        pytest.skip("the test server has no password")
    runs = [failed_night[k] for k in ("second", "rollup")]
    assert not secrets_found([password], [t for r in runs for t in (r.stdout, r.stderr)], [failed_night["root"]])
