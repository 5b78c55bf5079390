"""
### nightly_load

Every night at 01:00 (Asia/Ho_Chi_Minh): load what the sources delivered into `raw`, check the new
batches with Great Expectations, build the dbt warehouse, check the marts.

- `ingest_<source>`, one task per source of the registry (`ingestion/contracts.py`: motcua, pakn, baocao and the
  optional dvcqg_766): one batch per new file (or API pull) into `raw`; bad rows go to `raw.quarantine`, bad files
  are rejected; nothing is loaded twice.
- `validate_raw_batches`: a failed *critical* expectation stops the night here at once, without retries
  (warnings are recorded only).
- `build_marts`: `dbt build` (seeds, models, tests); if it fails the marts keep yesterday's data.
- `validate_marts`: GX on the marts; on success the `khanhhoa_marts` asset is updated, which the
  six-monthly rollup listens for.
- `publish_docs`: dbt's documentation as one page, `OUTPUT_DIR/dbt/target/static_index.html`.
- `publish_site`: the officials' site into `OUTPUT_DIR/site/` (read as the analyst role); the night ends here.

Each task runs under its own database role (loader, transformer, checker). A task that still fails after its
retries marks the night failed in `audit.nightly_runs` (the rollup then publishes nothing) and, when
`ALERT_EMAIL` is set, mails those addresses.

The work lives in `warehouse.nightly`; this file only wires it.
"""

from __future__ import annotations

from contextlib import contextmanager

from airflow.sdk import Asset, CronTriggerTimetable, Param, dag, task

from ingestion.contracts import SOURCES
from warehouse.assets import MARTS_ASSET
from warehouse.config import dbt_in_airflow
from warehouse.dag_defaults import START_DATE, default_args

MARTS = Asset(MARTS_ASSET)


def night_failed(context) -> None:
    """After a task's last retry: the night is recorded as failed (audit.nightly_runs), so no rollup publishes."""
    from warehouse.nightly import on_task_failure

    on_task_failure(context)


@contextmanager
def no_retry_on_a_gap():
    """A critical data-quality gap does not heal by waiting: fail the gate at once (I/O errors still retry)."""
    from airflow.exceptions import AirflowFailException

    from expectations.runner import BlockingGapError

    try:
        yield
    except BlockingGapError as gap:
        raise AirflowFailException(str(gap)) from gap


@dag(
    dag_id="nightly_load",
    schedule=CronTriggerTimetable("0 1 * * *", timezone="Asia/Ho_Chi_Minh"),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    params={
        "full_refresh": Param(
            False, type="boolean", description="rebuild every dbt model from raw (after excluding a loaded batch)"
        )
    },
    default_args={**default_args(), "on_failure_callback": night_failed},
    tags=["khanhhoa", "nightly"],
    doc_md=__doc__,
)
def nightly_load():
    @task
    def prepare_warehouse(**context) -> dict:
        from warehouse.nightly import prepare

        # the night's delivery moment: the scheduled 01:00 (or the date given to `dags test`), now for a manual run
        return prepare(context["run_id"], context.get("logical_date"))

    @task
    def ingest(source: str, **context) -> dict:
        from warehouse.nightly import ingest

        return ingest(source, context["run_id"])

    @task
    def validate_raw_batches(summaries: list[dict], **context) -> dict:
        from warehouse.nightly import validate_raw

        with no_retry_on_a_gap():
            return validate_raw(summaries, context["run_id"])

    @task(retries=1)
    def build_marts(**context) -> dict:
        from warehouse.nightly import build_marts

        return build_marts(context["run_id"], full_refresh=bool(context["params"].get("full_refresh")))

    @task(outlets=[MARTS])
    def validate_marts(**context) -> dict:
        from warehouse.nightly import validate_marts

        with no_retry_on_a_gap():
            return validate_marts(context["run_id"])

    @task(retries=1)
    def publish_docs(**context) -> dict:
        from warehouse.nightly import publish_docs

        return publish_docs(context["run_id"])

    @task(retries=1)
    def publish_site(**context) -> dict:
        from warehouse.nightly import publish_site

        return publish_site(context["run_id"])

    ready = prepare_warehouse()
    # one ingest task per source of the registry (ingestion/contracts.py), after the sources it depends on
    loads = {source.name: ingest.override(task_id=f"ingest_{source.name}")(source.name) for source in SOURCES}
    for source in SOURCES:
        upstream = [loads[name] for name in source.depends_on] or [ready]
        upstream >> loads[source.name]
    checked = validate_raw_batches(list(loads.values()))
    if dbt_in_airflow() == "cosmos":  # a task per model (warehouse/cosmos_dbt.py)
        from warehouse.cosmos_dbt import build_marts_group

        built = build_marts_group(after=checked)
    else:
        built = build_marts()
        checked >> built
    built >> validate_marts() >> publish_docs() >> publish_site()


nightly_load()
