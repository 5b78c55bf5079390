"""What the Cosmos build task (warehouse/cosmos_dbt.py) takes over from the one-task path: tonight's plan as
its flags, the transformer role, the artefacts' folder, and the state recorded once the build succeeded. The
hooks run on Cosmos's own producer operator, against a real warehouse; a whole night with a task per model is
in test_faults.py (a failing model) and test_celery_stack.py (Celery workers)."""

from __future__ import annotations

import os

import psycopg
from conftest import new_database
from psycopg.conninfo import conninfo_to_dict

from warehouse.config import DBT_PROJECT_DIR
from warehouse.db import bootstrap


def _producer():
    from cosmos.config import ProfileConfig
    from cosmos.operators.watcher import DbtProducerWatcherOperator

    profile = ProfileConfig(
        profile_name="khanhhoa_kpi", target_name="warehouse", profiles_yml_filepath=DBT_PROJECT_DIR / "profiles.yml"
    )
    return DbtProducerWatcherOperator(
        task_id="dbt_producer_watcher", project_dir=str(DBT_PROJECT_DIR), profile_config=profile
    )


def test_the_build_task_takes_tonights_plan_and_records_it(server_url, tmp_path, monkeypatch):
    from warehouse.cosmos_dbt import after_build, before_build

    url = new_database(server_url, "cosmos_hooks")
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("OUTPUT_DIR", str(tmp_path))
    with psycopg.connect(url, autocommit=True) as conn:
        bootstrap(conn)

    def night(full_refresh: bool) -> tuple:
        """The build task of a night, as Airflow hands it to the hook before it runs: (flags, dbt flags, task)."""
        task = _producer()
        before_build({"task": task, "params": {"full_refresh": full_refresh}})
        return task.add_cmd_flags(), task.dbt_cmd_flags, task

    # the first build: seeds loaded, no full refresh (nothing is built yet); dbt acts as the transformer role
    flags, cmd_flags, task = night(False)
    assert "--full-refresh" not in flags
    assert cmd_flags[:2] == ["--exclude-resource-type", "unit_test"] and "seed" not in cmd_flags
    assert cmd_flags[cmd_flags.index("--target-path") + 1] == str(tmp_path / "dbt" / "target")
    assert os.environ["WH_ROLE"] == "transformer" and os.environ["WH_DBNAME"] == conninfo_to_dict(url)["dbname"]
    after_build({"task": task}, None)
    with psycopg.connect(url) as conn:
        state = dict(conn.execute("select key, value from audit.dbt_state").fetchall())
    assert set(state) == {"seeds_digest", "rules_digest", "pii_key_set_at"}
    # the next night: the seeds are unchanged, so not loaded again; a full refresh only when asked
    flags, cmd_flags, _ = night(False)
    assert "--full-refresh" not in flags
    assert cmd_flags[:4] == ["--exclude-resource-type", "unit_test", "--exclude-resource-type", "seed"]
    flags, _, _ = night(True)
    assert "--full-refresh" in flags
    # the key rotated (PII_HASH_KEY): everything is rebuilt, so no table mixes old and new hashes
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("update private.pii_hash_key set set_at = set_at + interval '1 day'")
    flags, _, _ = night(False)
    assert "--full-refresh" in flags
