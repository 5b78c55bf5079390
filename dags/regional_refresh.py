"""
### regional_refresh

On a regional (or national) warehouse only: every night at 05:00 (Asia/Ho_Chi_Minh), after the provinces' own
nights, rebuild the `region` schema from each attached province's marts (postgres_fdw; `python -m warehouse region
attach CODE URL` attaches one). On a province's own warehouse nothing is attached and the run ends at once.
See warehouse/federation.py and the README ("From one province to a region").
"""

from __future__ import annotations

from airflow.sdk import CronTriggerTimetable, dag, task

from warehouse.dag_defaults import START_DATE, default_args


@dag(
    dag_id="regional_refresh",
    schedule=CronTriggerTimetable("0 5 * * *", timezone="Asia/Ho_Chi_Minh"),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=default_args(retries=2),
    tags=["khanhhoa", "region"],
    doc_md=__doc__,
)
def regional_refresh():
    @task.short_circuit
    def provinces_attached() -> bool:
        from warehouse.db import connect
        from warehouse.federation import provinces

        with connect() as conn:
            return bool(provinces(conn))

    @task
    def refresh_region() -> dict:
        from warehouse.db import connect
        from warehouse.federation import refresh

        with connect() as conn:
            done = refresh(conn)
        return {"tables": done.tables, "left_out": done.left_out}

    provinces_attached() >> refresh_region()


regional_refresh()
