"""The nightly DAG on Airflow's CeleryExecutor, as the compose stack's `celery` profile runs it, on one machine.

Debian's redis-server on loopback is the broker; Airflow's metadata is in PostgreSQL (a database of the embedded
test server); an api-server, a scheduler, a dag-processor and one Celery worker run as separate processes, each
with only the shared settings (no task reads another's local files: landing and output folders are configured
paths). `nightly_load` is triggered for a small simulated province and must succeed, and its marts must equal
those of the same delivery run with `airflow dags test` (LocalExecutor semantics, in-process).

Too slow for `make test` (the components start in about a minute on 2 cores): `make test-celery` runs it.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import psycopg
import pytest
from conftest import airflow_env, debian_tool, mart_tables, new_database

from ingestion.simulator.generate import SimulationSpec, generate
from warehouse.config import PROJECT_ROOT

pytestmark = [pytest.mark.slow, pytest.mark.celery]

SPEC = SimulationSpec(cases_per_year=300, start=dt.date(2024, 12, 15), as_of=dt.datetime(2025, 7, 20, 6, 0))
LOGICAL_DATE = "2025-07-20T01:00:00+07:00"
AIRFLOW = str(Path(sys.executable).parent / "airflow")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait(what: str, check, timeout: float, logs: Path, processes: dict | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        gone = [name for name, p in (processes or {}).items() if p.poll() is not None]
        if gone:  # a component that died will not come back: say so now, with its log
            deadline = 0
            what = f"{what} ({', '.join(gone)} exited)"
            break
        result = check()
        if result:
            return result
        time.sleep(2)
    tails = {p.name: p.read_text(errors="replace")[-1500:] for p in sorted(logs.glob("*.log"))}
    raise AssertionError(f"{what}: not within {timeout:.0f} s\n" + json.dumps(tails, indent=1, ensure_ascii=False))


def _run_state(env: dict, run_id: str) -> str | None:
    listed = subprocess.run(
        [AIRFLOW, "dags", "list-runs", "nightly_load", "--output", "json"], env=env, capture_output=True, text=True
    )
    lines = [line for line in listed.stdout.splitlines() if line.startswith("[")]  # the CLI logs to stdout too
    if listed.returncode != 0 or not lines:
        return None
    runs = {r["run_id"]: r["state"] for r in json.loads(lines[-1])}
    state = runs.get(run_id)
    return state if state in ("success", "failed") else None


@pytest.fixture(scope="module")
def celery_night(tmp_path_factory, server_url):
    root = tmp_path_factory.mktemp("celery")
    landing = root / "landing"
    generate(landing, SPEC)
    redis = debian_tool("redis-server", "redis-server")
    redis_port, api_port = _free_port(), _free_port()
    metadata = new_database(server_url, "airflow_meta").replace("postgresql://", "postgresql+psycopg://", 1)
    celery_wh, local_wh = new_database(server_url, "celery_wh"), new_database(server_url, "local_wh")
    logs = root / "logs"
    logs.mkdir()
    shared = {
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata,
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": metadata,  # psycopg 3 is async too (no asyncpg needed)
        "AIRFLOW__CELERY__BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
        "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + metadata,
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": "2",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
        "AIRFLOW__API__PORT": str(api_port),
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_urlsafe(32),
        "AIRFLOW__CORE__FERNET_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",  # only the run the test triggers
        "PII_HASH_KEY": "one-key-for-both-executors",
        "DBT_IN_AIRFLOW": "cosmos",  # a task per dbt model, as the compose stack draws it; the local run: one task
    }
    env = airflow_env(celery_wh, landing, root / "celery", **shared)
    with ExitStack() as stack:
        started = time.monotonic()
        broker = subprocess.Popen(
            [redis, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=open(logs / "redis.log", "w"),
            stderr=subprocess.STDOUT,
        )
        stack.callback(broker.terminate)
        migrated = subprocess.run([AIRFLOW, "db", "migrate"], env=env, capture_output=True, text=True, timeout=600)
        assert migrated.returncode == 0, migrated.stderr[-3000:]
        components = {}
        for name, args in {
            "api-server": ["api-server", "--port", str(api_port)],
            "scheduler": ["scheduler"],
            "dag-processor": ["dag-processor"],
            "worker": ["celery", "worker", "--concurrency", "2"],
        }.items():
            process = subprocess.Popen(
                [AIRFLOW, *args], env=env, stdout=open(logs / f"{name}.log", "w"), stderr=subprocess.STDOUT
            )
            stack.callback(process.wait, 60)
            stack.callback(process.terminate)
            components[name] = process

        def listed() -> bool:
            shown = subprocess.run(
                [AIRFLOW, "dags", "list", "--output", "json"], env=env, capture_output=True, text=True
            )
            return "nightly_load" in shown.stdout

        _wait("the dag-processor parsing nightly_load", listed, 300, logs, components)
        ready = time.monotonic() - started
        triggered = subprocess.run(
            [AIRFLOW, "dags", "trigger", "nightly_load", "--logical-date", LOGICAL_DATE, "--run-id", "celery-night"],
            env=env,
            capture_output=True,
            text=True,
        )
        assert triggered.returncode == 0, triggered.stderr[-3000:]
        state = _wait("the triggered night", lambda: _run_state(env, "celery-night"), 600, logs, components)
        night = time.monotonic() - started - ready
        worker_log = (logs / "worker.log").read_text(errors="replace")
        listed_states = subprocess.run(
            [AIRFLOW, "tasks", "states-for-dag-run", "nightly_load", "celery-night", "--output", "json"],
            env=env,
            capture_output=True,
            text=True,
        )
        task_states = {t["task_id"]: t["state"] for t in json.loads(listed_states.stdout)}
    local_env = airflow_env(
        local_wh,
        landing,
        root / "local",
        PII_HASH_KEY=shared["PII_HASH_KEY"],
        AIRFLOW__CORE__DAGS_FOLDER=shared["AIRFLOW__CORE__DAGS_FOLDER"],
    )
    migrated = subprocess.run([AIRFLOW, "db", "migrate"], env=local_env, capture_output=True, text=True, timeout=600)
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    local = subprocess.run(
        [AIRFLOW, "dags", "test", "nightly_load", LOGICAL_DATE], env=local_env, capture_output=True, text=True
    )
    assert local.returncode == 0, local.stdout[-3000:]
    yield {
        "state": state,
        "ready": ready,
        "night": night,
        "worker_log": worker_log,
        "task_states": task_states,
        "celery": celery_wh,
        "local": local_wh,
        "env": env,
    }


def test_the_night_succeeds_on_celery_workers(celery_night):
    assert celery_night["state"] == "success"
    # the tasks ran in the Celery worker's processes, not in the scheduler
    assert "ingest_motcua" in celery_night["worker_log"] and "build_marts" in celery_night["worker_log"]
    # dbt ran as a task per model (Cosmos), every one of them successful
    models = [t for t in celery_night["task_states"] if t.startswith("build_marts.") and t.endswith(".run")]
    assert len(models) > 40 and all(celery_night["task_states"][t] == "success" for t in models)
    print(f"\ncomponents ready in {celery_night['ready']:.0f} s; the night took {celery_night['night']:.0f} s")


def test_the_marts_equal_a_local_run_of_the_same_delivery(celery_night):
    with psycopg.connect(celery_night["celery"]) as conn:
        runs = conn.execute("select run_id, state from audit.nightly_runs").fetchall()
    assert runs == [("celery-night", "success")]
    ignore = frozenset({"batch_id", "submission_id"})  # numbers the two ledgers give in their own order
    celery = mart_tables(celery_night["celery"], leave_out=frozenset({"fct_load_batches"}), ignore=ignore)
    local = mart_tables(celery_night["local"], leave_out=frozenset({"fct_load_batches"}), ignore=ignore)
    assert celery.keys() == local.keys() and len(celery["fct_cases"]) > 100
    assert {t for t in celery if celery[t] != local[t]} == set()
    assert os.path.isdir(Path(celery_night["env"]["OUTPUT_DIR"]) / "site")  # the night's last task wrote it
