"""The DAG files import cleanly, do no work at import time, and are wired as documented."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ingestion.contracts import SOURCES
from warehouse.config import PROJECT_ROOT

DAGS = PROJECT_ROOT / "dags"


def _dagbag(output: Path, dbt_in_airflow: str):
    from airflow.dag_processing.dagbag import DagBag

    with pytest.MonkeyPatch.context() as env:
        env.setenv("OUTPUT_DIR", str(output))  # where the Cosmos DAG's manifest is parsed to
        env.setenv("DBT_IN_AIRFLOW", dbt_in_airflow)
        return DagBag(dag_folder=str(DAGS))


@pytest.fixture(scope="module")
def dagbag(tmp_path_factory):
    """The DAGs as `make run` draws them: one build_marts task."""
    return _dagbag(tmp_path_factory.mktemp("output"), "task")


@pytest.fixture(scope="module")
def cosmos_dag(tmp_path_factory):
    """nightly_load as a scheduler draws it by default: a task per dbt model (Cosmos), and the manifest."""
    output = tmp_path_factory.mktemp("output")
    bag = _dagbag(output, "cosmos")
    assert bag.import_errors == {}
    (manifest,) = (output / "dbt" / "manifest").glob("*.json")
    return bag.dags["nightly_load"], json.loads(manifest.read_text(encoding="utf-8"))


def test_every_dag_file_imports_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert {"nightly_load", "biannual_rollup", "regional_refresh"} <= set(dagbag.dag_ids)


def test_nightly_load_is_wired_as_documented(dagbag):
    """One ingest task per source of the registry, after the sources it depends on (or the preparation)."""
    dag = dagbag.dags["nightly_load"]
    ingests = {f"ingest_{source.name}" for source in SOURCES}
    assert ingests == {"ingest_motcua", "ingest_pakn", "ingest_baocao", "ingest_dvcqg_766"}
    assert {t.task_id for t in dag.tasks} == {
        "prepare_warehouse",
        *ingests,
        "validate_raw_batches",
        "build_marts",
        "validate_marts",
        "publish_docs",
        "publish_site",
    }
    upstream = {t.task_id: {u.task_id for u in t.upstream_list} for t in dag.tasks}
    for source in SOURCES:
        expected = {f"ingest_{name}" for name in source.depends_on} or {"prepare_warehouse"}
        assert upstream[f"ingest_{source.name}"] == expected, source.name
    assert upstream["ingest_baocao"] == {"ingest_motcua"}  # reports are checked against motcua's agencies
    assert upstream["ingest_dvcqg_766"] == {"ingest_motcua"}  # the portal's units, against the same catalogue
    assert upstream["validate_raw_batches"] == ingests
    assert upstream["build_marts"] == {"validate_raw_batches"}
    assert upstream["validate_marts"] == {"build_marts"}
    assert upstream["publish_docs"] == {"validate_marts"}
    assert upstream["publish_site"] == {"publish_docs"}
    assert dag.timetable.expression == "0 1 * * *"
    assert "Asia/Ho_Chi_Minh" in str(dag.timetable.timezone)
    # as the README says: 2 retries with exponential backoff for the loads and the gates (a critical gap is not
    # retried, test_nightly_gate.py), 1 for dbt, the docs and the site; every failure recorded by the callback
    retries = {t.task_id: t.retries for t in dag.tasks}
    assert retries == {
        "prepare_warehouse": 2,
        **{name: 2 for name in ingests},
        "validate_raw_batches": 2,
        "build_marts": 1,
        "validate_marts": 2,
        "publish_docs": 1,
        "publish_site": 1,
    }
    assert all(t.retry_exponential_backoff and t.on_failure_callback for t in dag.tasks)
    assert dag.default_args["retry_delay"].total_seconds() == 120
    assert [o.name for o in dag.get_task("validate_marts").outlets] == ["khanhhoa_marts"]


def test_with_cosmos_each_dbt_model_is_a_task_after_one_build(cosmos_dag):
    """Every model of the manifest is a task `build_marts.<model>.run` (with `.test` when it has tests); the one
    `dbt build` (the producer) starts after the raw gate and is never retried; the models with no model upstream
    read their result once it ended; the mart gate waits for the whole group. Seeds and unit tests are not tasks
    (the build loads changed seeds; the suite runs the unit tests)."""
    dag, manifest = cosmos_dag
    tasks = {t.task_id: t for t in dag.tasks}
    nodes = manifest["nodes"].values()
    models = {n["name"] for n in nodes if n["resource_type"] == "model"}
    tested = {
        n["attached_node"].split(".")[-1] for n in nodes if n["resource_type"] == "test" and n.get("attached_node")
    }
    assert len(models) > 40
    assert {t.removeprefix("build_marts.").removesuffix(".run") for t in tasks if t.endswith(".run")} == models
    assert {
        t.removeprefix("build_marts.").removesuffix(".test") for t in tasks if t.endswith(".test")
    } == tested & models
    assert not [t for t in tasks if t.endswith(".seed")]
    producer = tasks["build_marts.dbt_producer_watcher"]
    assert producer.upstream_task_ids == {"validate_raw_batches"} and producer.retries == 0
    roots = [
        t
        for t in tasks.values()
        if t.task_id.endswith(".run") and not t.upstream_task_ids - {producer.task_id, "validate_raw_batches"}
    ]
    assert roots and all(
        t.trigger_rule == "all_done_min_one_success" and producer.task_id in t.upstream_task_ids for t in roots
    )
    # a model task starts after the tasks of the models it is built from (and their tests)
    fct_cases = tasks["build_marts.fct_cases.run"]
    assert any(u.startswith("build_marts.stg_motcua__cases") for u in fct_cases.upstream_task_ids)
    assert "build_marts.dbt_producer_watcher_done" in tasks["validate_marts"].upstream_task_ids
    assert all(t.retries == 1 for t in tasks.values() if t.task_id.endswith((".run", ".test")))
    assert all(t.on_failure_callback for t in tasks.values())


def test_importing_dag_files_touches_no_database(tmp_path):
    """With a warehouse that cannot exist, importing every DAG file must still succeed, and cheaply: the files'
    own work is measured in CPU seconds of this process (a loaded machine's wall clock would make it flaky), with
    Airflow itself imported before the clock starts."""
    missing_pgdata = tmp_path / "must-not-be-created"
    code = textwrap.dedent(f"""
        import time
        from airflow.dag_processing.dagbag import DagBag
        import airflow.sdk  # noqa: F401  (Airflow itself)
        started = time.process_time()
        bag = DagBag(dag_folder={str(DAGS)!r})
        assert bag.import_errors == {{}}, bag.import_errors
        assert sorted(bag.dag_ids) == ["biannual_rollup", "nightly_load", "regional_refresh"], bag.dag_ids
        print(time.process_time() - started)
    """)
    env = {
        **os.environ,
        "DATABASE_URL": "postgresql://nobody:nothing@192.0.2.1:1/none",
        "PGDATA_DIR": str(missing_pgdata),
        "OUTPUT_DIR": str(tmp_path / "output"),  # nightly_load with Cosmos: the manifest is parsed here, once
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    }
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    cpu_seconds = float(result.stdout.strip().splitlines()[-1])
    assert cpu_seconds < 5.0, f"importing the DAG files took {cpu_seconds:.2f} CPU seconds"
    assert not missing_pgdata.exists()


def test_biannual_rollup_waits_for_the_marts_and_refuses_before_building(dagbag):
    dag = dagbag.dags["biannual_rollup"]
    upstream = {t.task_id: {u.task_id for u in t.upstream_list} for t in dag.tasks}
    assert upstream["check_open_gaps"] == {"choose_period", "period_is_due"}
    assert upstream["build_so_noi_vu"] == upstream["build_thanh_tra_tinh"] == {"check_open_gaps", "choose_period"}
    assert upstream["deliver_extracts"] == {"build_so_noi_vu", "build_thanh_tra_tinh", "choose_period"}
    assert upstream["publish_site"] == {"build_so_noi_vu", "build_thanh_tra_tinh"}  # to offer the new documents
    assert "khanhhoa_marts" in repr(dag.timetable.asset_condition)
    assert "period" in dag.params
